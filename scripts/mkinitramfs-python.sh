#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the Python guest image: the ordinary guest image (BASE) with a
# second cpio appended, which the kernel unpacks over it, holding Debian's
# python3.11 (the standard library without its tests, IDLE, Tk and build
# files), python3-numpy, python3-cffi, python3-pytest, their shared
# libraries, and the quasar package. The ordinary image and its boots stay
# as they are; vm.sh --initrd OUT boots this one.
# usage: mkinitramfs-python.sh OUT.cpio.gz BASE.cpio.gz QUASAR_PKG_DIR
set -euo pipefail
out=$1 base=$2 pkg=$3
py=python3.11
stdlib=/usr/lib/$py
dist=/usr/lib/python3/dist-packages
# What `import numpy, cffi, pytest` needs: the packages and their own
# dependencies (pycparser and its ply for cffi's cdef parser; pytest's).
dist_pkgs=(numpy cffi _cffi_backend.cpython-311-x86_64-linux-gnu.so pycparser ply
	pytest _pytest py.py py pluggy iniconfig packaging attr attrs more_itertools)
# The standard library's parts no test or program here imports.
stdlib_skip=(test idlelib tkinter turtledemo ensurepip lib2to3 pydoc_data distutils
	"config-3.11-x86_64-linux-gnu" dist-packages site-packages
	# extension modules whose libraries (OpenSSL, Kerberos, Berkeley DB,
	# SQLite, readline) would double the image; hashlib falls back to its
	# built-in digests without _hashlib
	"lib-dynload/_ssl.*" "lib-dynload/_hashlib.*" "lib-dynload/_sqlite3.*"
	"lib-dynload/_dbm.*" "lib-dynload/_gdbm.*" "lib-dynload/readline.*" "lib-dynload/nis.*"
	"lib-dynload/_curses*" "lib-dynload/_tkinter.*")

for f in "/usr/bin/$py" "$base" "$pkg/__init__.py"; do
	[ -e "$f" ] || { echo "mkinitramfs-python: missing $f (scripts/deps.sh installs" \
		"python3-numpy python3-cffi python3-pytest)" >&2; exit 2; }
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# Libraries the ordinary image already has are not copied again.
declare -A in_base=()
while read -r f; do in_base[/${f#./}]=1; done < <(zcat "$base" | cpio -t --quiet 2>/dev/null)

# numpy links libblas.so.3 and liblapack.so.3, which Debian's alternatives
# point at OpenBLAS on this host (35 MB with its kernels for every CPU);
# the image gets the reference BLAS and LAPACK (libblas3, liblapack3) under
# the same sonames: 0.4 + 7 MB, and no threads to start under TCG.
multiarch=/usr/lib/x86_64-linux-gnu
copy_lib() {
	local lib=$1 src=$1
	case "$lib" in
	*/libopenblas.so.0) return ;;
	*/libblas.so.3) src=$multiarch/blas/libblas.so.3 ;;
	*/liblapack.so.3) src=$multiarch/lapack/liblapack.so.3 ;;
	esac
	[ -n "${in_base[$lib]:-}" ] && return
	[ -e "$root$lib" ] && return
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$src" "$root$lib"
}
copy_deps() { # the shared libraries an ELF file needs
	local lib
	for lib in $(ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
		copy_lib "$lib"
	done
}

mkdir -p "$root/usr/bin" "$root$stdlib" "$root$dist"
cp "/usr/bin/$py" "$root/usr/bin/$py"
ln -s "$py" "$root/usr/bin/python3"
copy_deps "/usr/bin/$py"

excl=()
for s in "${stdlib_skip[@]}"; do excl+=(--exclude "/$s"); done
rsync -a --copy-unsafe-links "${excl[@]}" "$stdlib/" "$root$stdlib/"
for p in "${dist_pkgs[@]}"; do
	[ -e "$dist/$p" ] || continue	# optional ones (attrs, more_itertools)
	rsync -a --exclude tests --exclude '*.pyi' --exclude f2py --exclude distutils \
		--exclude '*.h' "$dist/$p" "$root$dist/"
done
cp -r "$pkg" "$root$dist/quasar"
find "$root$dist/quasar" -name __pycache__ -prune -exec rm -rf {} +
while read -r so; do copy_deps "$so"; done < <(find "$root" -name '*.so' -type f)

mkdir -p "$(dirname "$out")"
layer=$out.layer.tmp
du -sh "$root$stdlib" "$root$dist" "$root/lib" "$root/usr/lib/x86_64-linux-gnu" 2>/dev/null |
	sed 's/^/[initramfs-python]   /' || true
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$layer"
cat "$base" "$layer" >"$out.tmp"
rm -f "$layer"
mv -f "$out.tmp" "$out"
echo "[initramfs-python] $out: $(du -h "$out" | cut -f1)" \
	"(the Python layer: $(du -sh "$root" | cut -f1) unpacked)"
