# SPDX-License-Identifier: MIT
# The ISA's command validator (isa/): every rule of one command of
# drm/quasar_isa.h that needs no device, written once and compiled by who
# runs commands and by who writes them:
#
#   the firmware   into libquasarfw.a (firmware/firmware.mk), and so into
#                  the QEMU device (qemu-device.mk hands ISA_SRCS to its
#                  meson.build) and the fuzzers (tests/firmware/fuzz/firmware_fuzz.mk)
#   libaccel       -fPIC with hidden symbols (libaccel/libaccel.mk), behind
#                  accel_check_cmd()
#
# Freestanding like the datapath, whose format geometry it calls
# (dp_geom_get()): whoever links the validator also links ISA_DP_SRCS.
# ISA_SRCS is the only list of the validator's sources.

ISA_DIR := $(TOP)/isa
ISA_SRCS := isa_validate.c
ISA_DP_SRCS := dp_format.c
ISA_HDRS := $(wildcard $(ISA_DIR)/*.h)
