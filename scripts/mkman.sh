#!/bin/bash
# SPDX-License-Identifier: MIT
# mkman.sh PROGRAM OUT.1 [LIBDIR]: PROGRAM's man page, written by help2man
# from its --help and --version, so that the --help text is the one source.
# The NAME line is the first line of --help after the Usage lines, one sentence
# (docs/architecture.md "Command-line conventions"); LIBDIR, if given, is
# where a program built against libaccel finds it on this host.
set -euo pipefail
prog=$1 out=$2
[ -z "${3:-}" ] || export LD_LIBRARY_PATH=$3${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
name=$("$prog" --help | awk '/^Usage:|^  or:|^ *$/ { next } { sub(/\.$/, ""); print; exit }')
[ -n "$name" ] || { echo "mkman: $prog --help has no description after its Usage" >&2; exit 1; }
# Man pages start it lower case ("prints what ..."), unless it starts with an
# acronym ("FILL ...").
case ${name:1:1} in
[a-z]) name=$(echo "${name:0:1}" | tr '[:upper:]' '[:lower:]')${name:1} ;;
esac
help2man --no-info --section=1 --name="$name" --manual="Quasar" --output="$out.tmp" "$prog"
mv "$out.tmp" "$out"
