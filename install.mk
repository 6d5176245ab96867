# SPDX-License-Identifier: MIT
# make install / make uninstall: the SDK, in the usual places:
#
#   make install PREFIX=/usr/local DESTDIR= LIBDIR=$(PREFIX)/lib ...
#
#   $(BINDIR)                 the tools (INSTALL_BINS)
#   $(INCLUDEDIR)             libaccel's headers (INSTALL_HEADERS)
#   $(INCLUDEDIR)/drm         the uapi headers (INSTALL_UAPI)
#   $(INCLUDEDIR)/quasar      the compression library's (INSTALL_QUASAR_HEADERS)
#   $(LIBDIR)                 libaccel.so.N with its links, the static libraries
#   $(PKGCONFIGDIR)           libaccel.pc, quasar-compress.pc: the installed paths
#   $(FIRMWAREDIR)/quasar     the device firmware, where quasar.ko asks for it
#   $(PYTHONDIR)/quasar       the Python binding (INSTALL_PYTHON; pure Python, it
#                             dlopen()s libaccel.so.1)
#   $(MANDIR)/man1            the tools' man pages (INSTALL_MAN, from `make man`)
#
# Each fragment registers what it installs in the INSTALL_* lists; the .pc
# files are written here from their .pc.in with the installed paths. The
# kernel module installs with the kernel's own rule (docs/bringup.md).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
FIRMWAREDIR ?= /lib/firmware
# Debian's python3 reads /usr/lib/python3/dist-packages; under another
# PREFIX, PYTHONPATH=$(PYTHONDIR) finds it.
PYTHONDIR ?= $(PREFIX)/lib/python3/dist-packages
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

# make man: every program's man page, build/man/NAME.1, written by help2man
# from the program's --help and --version (scripts/mkman.sh): the --help text
# is the one source. The installed programs' pages install with them.
MAN_OUT := $(BUILD)/man
MAN_PAGES := $(addprefix $(MAN_OUT)/,$(addsuffix .1,$(notdir $(MAN_BINS))))
INSTALL_MAN := $(addprefix $(MAN_OUT)/,$(addsuffix .1,$(notdir $(INSTALL_BINS))))

.PHONY: man
man: $(MAN_PAGES)

# $(call MAN_RULE,program): its page, remade when the program is.
define MAN_RULE
$(MAN_OUT)/$(notdir $(1)).1: $(1) $(TOP)/scripts/mkman.sh
	@mkdir -p $(MAN_OUT)
	bash $(TOP)/scripts/mkman.sh $(1) $$@ $(LIBACCEL_OUT)
endef
$(foreach b,$(MAN_BINS),$(eval $(call MAN_RULE,$(b))))

INSTALL_FILES = $(INSTALL_BINS) $(INSTALL_HEADERS) $(INSTALL_UAPI) $(INSTALL_QUASAR_HEADERS) \
	$(INSTALL_SHLIBS) $(INSTALL_STATIC) $(INSTALL_PC) $(INSTALL_FW) $(INSTALL_PYTHON) $(INSTALL_MAN)
# The paths under DESTDIR that install writes (uninstall removes them).
INSTALLED = $(addprefix $(BINDIR)/,$(notdir $(INSTALL_BINS))) \
	$(addprefix $(INCLUDEDIR)/,$(notdir $(INSTALL_HEADERS))) \
	$(addprefix $(INCLUDEDIR)/drm/,$(notdir $(INSTALL_UAPI))) \
	$(addprefix $(INCLUDEDIR)/quasar/,$(notdir $(INSTALL_QUASAR_HEADERS))) \
	$(addprefix $(LIBDIR)/,$(notdir $(INSTALL_SHLIBS) $(INSTALL_STATIC))) \
	$(foreach l,$(notdir $(INSTALL_SHLIBS)),$(LIBDIR)/$(basename $(l))) \
	$(addprefix $(PKGCONFIGDIR)/,$(notdir $(INSTALL_PC:.in=))) \
	$(addprefix $(FIRMWAREDIR)/quasar/,$(notdir $(INSTALL_FW))) \
	$(addprefix $(PYTHONDIR)/quasar/,$(notdir $(INSTALL_PYTHON))) \
	$(addprefix $(MANDIR)/man1/,$(notdir $(INSTALL_MAN)))
# @VAR@ of a .pc.in; paths under PREFIX relative to ${prefix}, so that
# `pkg-config --define-prefix` finds an SDK that was moved (or is still in
# DESTDIR).
INSTALL_PC_REL = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
INSTALL_PC_SED = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call INSTALL_PC_REL,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(call INSTALL_PC_REL,$(INCLUDEDIR))|' \
	-e 's|@UAPIDIR@|$(call INSTALL_PC_REL,$(INCLUDEDIR))|' \
	-e 's|@VERSION@|$(LIBACCEL_VERSION)|' -e '/^\# SPDX/d'

.PHONY: install uninstall
install: $(INSTALL_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/drm $(DESTDIR)$(INCLUDEDIR)/quasar \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(FIRMWAREDIR)/quasar \
		$(DESTDIR)$(PYTHONDIR)/quasar $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(INSTALL_HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(INSTALL_UAPI) $(DESTDIR)$(INCLUDEDIR)/drm/
	install -m 644 $(INSTALL_QUASAR_HEADERS) $(DESTDIR)$(INCLUDEDIR)/quasar/
	install -m 755 $(INSTALL_SHLIBS) $(DESTDIR)$(LIBDIR)/
	$(foreach l,$(notdir $(INSTALL_SHLIBS)),ln -sf $(l) $(DESTDIR)$(LIBDIR)/$(basename $(l));)
	install -m 644 $(INSTALL_STATIC) $(DESTDIR)$(LIBDIR)/
	$(foreach p,$(INSTALL_PC),sed $(INSTALL_PC_SED) $(p) \
		>$(DESTDIR)$(PKGCONFIGDIR)/$(notdir $(p:.in=));)
	install -m 644 $(INSTALL_FW) $(DESTDIR)$(FIRMWAREDIR)/quasar/
	install -m 644 $(INSTALL_PYTHON) $(DESTDIR)$(PYTHONDIR)/quasar/
	install -m 644 $(INSTALL_MAN) $(DESTDIR)$(MANDIR)/man1/
	@echo "installed $(words $(INSTALLED)) files under $(or $(DESTDIR),/)"

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/quasar $(DESTDIR)$(FIRMWAREDIR)/quasar \
		$(DESTDIR)$(PYTHONDIR)/quasar 2>/dev/null
