/*
 * A test-only port (mock_port.c) whose critical section checks its keys, linked instead of
 * port/posix by test_critical_keys. The MCU ports' key is the interrupt state to restore
 * (port/riscv: the old MIE bit; port/cortex-m: the old PRIMASK or BASEPRI), so an exit with
 * any other key than the matching enter returned leaves interrupts masked for good, or unmasks
 * them inside an ISR or the caller's own critical section. The POSIX port ignores the key, so
 * only a port like this one can show such an exit on the host.
 *
 * Every enter returns a key no other enter returned (never 0) and pushes it; every exit must
 * get the key on top, which it pops. A wrong key, an exit without an enter or nesting deeper
 * than MOCK_PORT_MAX_DEPTH is counted (mock_port_bad_exits) and kept for the message.
 */
#ifndef MOCK_PORT_H
#define MOCK_PORT_H

#include "rtmem/port.h"

#define MOCK_PORT_MAX_DEPTH 8u

/** Critical sections entered and not left yet. */
unsigned mock_port_depth(void);
/** Exits that did not get their enter's key (or had no enter), since the last reset. */
unsigned mock_port_bad_exits(void);
/** The first bad exit since the last reset: the key it got and the key it should have got. */
void mock_port_first_bad(rtm_port_key *got, rtm_port_key *want);
/** Forgets bad exits (not the nesting: a test leaves every section it enters). */
void mock_port_reset(void);

#endif /* MOCK_PORT_H */
