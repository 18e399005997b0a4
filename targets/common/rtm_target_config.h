/*
 * rtmem configuration for the target firmware (RTM_CONFIG_HEADER, included by rtmem/common.h).
 * The fault ring lives in .noinit (targets/ld/<board>.ld): outside every loadable segment and not
 * zeroed by start-up, so its records survive a reset for post-mortem reading (postmortem_test.c).
 */
#ifndef RTM_TARGET_CONFIG_H
#define RTM_TARGET_CONFIG_H

#define RTM_FAULT_RING_ATTR __attribute__((section(".noinit")))

#endif /* RTM_TARGET_CONFIG_H */
