# SPDX-License-Identifier: MIT
# Every pinned external version, in one place. Makefile and scripts read this file.
KVER := 6.12.117+deb12-amd64
KPKG_VERSION := 6.12.117-1~deb12u1
KSRC_PACKAGE := linux-source-6.12
QEMU_PKG_VERSION := 1:7.2+dfsg-7+deb12u18
QEMU_UPSTREAM := 7.2.22
QUASAR_CACHE ?= /var/cache/quasar
MOBY_DICK_VERSION := 0.2.3
MOBY_DICK_TGZ_SHA := e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1
