/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quasar NPU: power state and firmware log (spec section 10).
 *
 * D3 entry reuses the soft-reset machinery: it must wait for the job in
 * progress on every hardware queue, exactly like DEV_CTRL.RESET, and it
 * ends in a state reset. The difference is what is lost: D3 forgets
 * everything a PCI reset forgets (firmware address, context roots, ring
 * addresses), so a driver that resumes has to restore all of it, as on real
 * hardware whose power rail went away.
 *
 * The firmware log is the one piece of state that survives both: it is
 * what a driver wants to read after a crash and recovery.
 */
#include "qemu/osdep.h"
#include "quasar.h"
#include "trace.h"

#define QUASAR_FWLOG_DROPPED_MAX    0xffffu
#define QUASAR_REG_DBG_BLOCK_END    0x0400u

void quasar_power_init(QuasarState *s)
{
    qemu_mutex_init(&s->fwlog.lock);
    s->fwlog.rd = 0;
    s->fwlog.wr = 0;
    s->fwlog.dropped = 0;
    s->power = QUASAR_POWER_D0;
    s->power_down = false;
}

void quasar_power_exit(QuasarState *s)
{
    qemu_mutex_destroy(&s->fwlog.lock);
}

/* PCI or system reset: D0, empty log. */
void quasar_power_reset_locked(QuasarState *s)
{
    s->power = QUASAR_POWER_D0;
    s->power_down = false;
    qemu_mutex_lock(&s->fwlog.lock);
    s->fwlog.rd = s->fwlog.wr = 0;
    s->fwlog.dropped = 0;
    qemu_mutex_unlock(&s->fwlog.lock);
}

/*
 * Called when a pending soft reset completes: true if it was a D3 entry,
 * whose state reset must be a full one.
 */
bool quasar_power_soft_reset_done_locked(QuasarState *s)
{
    if (!s->power_down) {
        return false;
    }
    s->power_down = false;
    s->power = QUASAR_POWER_D3;
    trace_quasar_power_state(QUASAR_POWER_D3);
    return true;
}

/*
 * The identity registers, the always-on power and log registers, and the
 * debug block (which D3 leaves alone) work in D3; anything else reaching a
 * powered-down device is a driver bug that real hardware would answer with
 * a bus error or garbage, so it is counted (DBG_D3_ACCESSES) and logged.
 */
static bool quasar_power_always_on(hwaddr addr)
{
    return addr <= QUASAR_REG_HW_VERSION ||
           (addr >= QUASAR_REG_POWER_CTRL &&
            addr <= QUASAR_REG_FWLOG_STATUS) ||
           (addr >= QUASAR_REG_DBG_INJECT && addr < QUASAR_REG_DBG_BLOCK_END);
}

void quasar_power_check_access_locked(QuasarState *s, hwaddr addr,
                                      bool write)
{
    if (s->power != QUASAR_POWER_D3 || quasar_power_always_on(addr)) {
        return;
    }
    s->dbg.d3_accesses++;
    trace_quasar_power_d3_access(addr, write);
}

/* Drop the oldest whole line; the FIFO is not empty. */
static void quasar_fwlog_drop_line(QuasarFwLog *l)
{
    while (l->rd != l->wr) {
        char c = l->buf[l->rd++ % QUASAR_FWLOG_SIZE];

        if (c == '\n') {
            break;
        }
    }
    if (l->dropped < QUASAR_FWLOG_DROPPED_MAX) {
        l->dropped++;
    }
}

static void quasar_fwlog_put(QuasarFwLog *l, const char *str, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        l->buf[l->wr++ % QUASAR_FWLOG_SIZE] = str[i];
    }
}

/* The HAL log hook: "who: msg\n", whole lines only. */
void quasar_fwlog_append(QuasarState *s, const char *who, const char *msg)
{
    QuasarFwLog *l = &s->fwlog;
    size_t wlen = strlen(who), mlen = strlen(msg);
    size_t need = wlen + 2 + mlen + 1;

    if (need > QUASAR_FWLOG_SIZE) {
        mlen = QUASAR_FWLOG_SIZE - wlen - 3;
        need = QUASAR_FWLOG_SIZE;
    }
    qemu_mutex_lock(&l->lock);
    while (QUASAR_FWLOG_SIZE - (l->wr - l->rd) < need) {
        quasar_fwlog_drop_line(l);
    }
    quasar_fwlog_put(l, who, wlen);
    quasar_fwlog_put(l, ": ", 2);
    quasar_fwlog_put(l, msg, mlen);
    quasar_fwlog_put(l, "\n", 1);
    qemu_mutex_unlock(&l->lock);
}

static uint32_t quasar_fwlog_pop(QuasarFwLog *l)
{
    uint32_t val = 0;
    unsigned int i;

    qemu_mutex_lock(&l->lock);
    for (i = 0; i < 4 && l->rd != l->wr; i++) {
        val |= (uint32_t)(uint8_t)l->buf[l->rd++ % QUASAR_FWLOG_SIZE]
               << (8 * i);
    }
    qemu_mutex_unlock(&l->lock);
    return val;
}

static uint32_t quasar_fwlog_status(QuasarFwLog *l)
{
    uint32_t val;

    qemu_mutex_lock(&l->lock);
    val = (l->wr - l->rd) |
          l->dropped << QUASAR_FWLOG_STATUS_DROPPED_SHIFT;
    qemu_mutex_unlock(&l->lock);
    return val;
}

bool quasar_power_read_locked(QuasarState *s, hwaddr addr, uint32_t *val)
{
    switch (addr) {
    case QUASAR_REG_POWER_CTRL:
        *val = s->power_down ? QUASAR_POWER_D3 : s->power;
        return true;
    case QUASAR_REG_POWER_STATUS:
        *val = s->power | (s->power_down ? QUASAR_POWER_STATUS_BUSY : 0);
        return true;
    case QUASAR_REG_FWLOG_DATA:
        *val = quasar_fwlog_pop(&s->fwlog);
        return true;
    case QUASAR_REG_FWLOG_STATUS:
        *val = quasar_fwlog_status(&s->fwlog);
        return true;
    }
    return false;
}

/* In D3 only POWER_CTRL takes writes; a refused doorbell says so. */
bool quasar_power_blocks_write_locked(QuasarState *s, hwaddr addr,
                                      uint32_t val)
{
    if (s->power != QUASAR_POWER_D3 || addr == QUASAR_REG_POWER_CTRL) {
        return false;
    }
    if (addr >= QUASAR_REG_QUEUE_BASE &&
        addr < QUASAR_REG_QUEUE(QUASAR_NUM_QUEUES, 0) &&
        (addr - QUASAR_REG_QUEUE_BASE) % QUASAR_REG_QUEUE_STRIDE ==
        QUASAR_Q_TAIL) {
        QUASAR_GUEST_ERR("doorbell %u on hw queue %u refused: device in D3",
                         val, (unsigned)((addr - QUASAR_REG_QUEUE_BASE) /
                                         QUASAR_REG_QUEUE_STRIDE));
    } else {
        QUASAR_GUEST_ERR("write 0x%x to 0x%" HWADDR_PRIx " refused: device "
                         "in D3", val, addr);
    }
    return true;
}

bool quasar_power_write_locked(QuasarState *s, hwaddr addr, uint32_t val)
{
    switch (addr) {
    case QUASAR_REG_POWER_CTRL:
        if (val == QUASAR_POWER_D0) {
            if (s->power == QUASAR_POWER_D3) {
                s->power = QUASAR_POWER_D0;
                trace_quasar_power_state(QUASAR_POWER_D0);
            }
        } else if (val == QUASAR_POWER_D3) {
            if (s->power == QUASAR_POWER_D0) {
                s->power_down = true;
                quasar_soft_reset_request_locked(s);
            }
        } else {
            QUASAR_GUEST_ERR("POWER_CTRL %u is not a power state (0 or 3)",
                             val);
        }
        return true;
    case QUASAR_REG_POWER_STATUS:
    case QUASAR_REG_FWLOG_DATA:
    case QUASAR_REG_FWLOG_STATUS:
        QUASAR_GUEST_ERR("write to read-only register 0x%" HWADDR_PRIx,
                         addr);
        return true;
    }
    return false;
}
