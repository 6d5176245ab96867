# SPDX-License-Identifier: MIT
# The QEMU device (qemu-device/), built inside Debian's QEMU 7.2 tree in
# the cache by scripts/build-qemu.sh together with the firmware, the ISA's
# validator and the datapath it links. Their source lists are the ones of
# firmware.mk, isa.mk and datapath.mk, handed over here and read by
# meson.build.
#
#   make qemu   build/qemu/qemu-system-x86_64 (part of `make`)
#   make qemu-san   build/qemu-san/qemu-system-x86_64, its device, firmware,
#                   validator and datapath with ASan + UBSan

QEMU_SOURCE_LISTS := \
	DP_REF_SRCS="$(DP_REF_SRCS)" DP_FAST_SRCS="$(DP_FAST_SRCS)" \
	DP_SIMD_SRCS="$(DP_SIMD_SRCS)" DP_SIMD_ISAS="$(DP_SIMD_ISAS)" \
	$(foreach i,$(DP_SIMD_ISAS),DP_ISA_FLAGS_$(i)="$(DP_ISA_FLAGS_$(i))") \
	DP_FP_FLAGS="$(DP_FP_FLAGS)" FW_SRCS="$(FW_SRCS)" FW_ENGINE_SRCS="$(FW_ENGINE_SRCS)" \
	ISA_SRCS="$(ISA_SRCS)"

.PHONY: qemu
qemu: $(DEPS_STAMP) $(FW_BUILD_ID_H) FORCE
	@$(QEMU_SOURCE_LISTS) bash $(TOP)/scripts/build-qemu.sh

# The same QEMU with the Quasar libraries built with ASan and UBSan and
# their runtimes linked in, in its own cached build directory whose other
# objects come from ccache, for the sanitized-device lane of the fuzzers
# (docs/fuzzing.md): build/qemu-san/qemu-system-x86_64.
.PHONY: qemu-san
qemu-san: $(DEPS_STAMP) $(FW_BUILD_ID_H) FORCE
	@$(QEMU_SOURCE_LISTS) QEMU_SANITIZE=1 bash $(TOP)/scripts/build-qemu.sh
