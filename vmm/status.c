// SPDX-License-Identifier: GPL-2.0
/* Exit statuses (status.h): a guest's value never poses as anyone else's. */
#include "status.h"

#include "log.h"

int status_from_guest(int value)
{
	if (value == TESSERA_EXIT_OK ||
	    (value >= TESSERA_EXIT_GUEST_MIN && value <= TESSERA_EXIT_GUEST_MAX))
		return value;
	return TESSERA_EXIT_GUEST_RANGE;
}

int status_guest_exit(int value)
{
	int status = status_from_guest(value);

	if (status != value)
		log_ratelimited(LOG_WARN,
				"the guest wrote %d to the debug-exit port: only 0 and %d-%d are its own, exit status %d",
				value, TESSERA_EXIT_GUEST_MIN,
				TESSERA_EXIT_GUEST_MAX, status);
	return status;
}

enum status_who status_who(int status)
{
	if (status == TESSERA_EXIT_OK)
		return STATUS_WHO_NONE;
	if (status == TESSERA_EXIT_ERROR)
		return STATUS_WHO_MONITOR;
	if (status == TESSERA_EXIT_USAGE)
		return STATUS_WHO_USER;
	if ((status >= TESSERA_EXIT_GUEST_MIN && status <= TESSERA_EXIT_SHUTDOWN) ||
	    status == TESSERA_EXIT_GUEST_RANGE)
		return STATUS_WHO_GUEST;
	if (status == TESSERA_EXIT_KVM_ERROR)
		return STATUS_WHO_KVM;
	if (status > TESSERA_EXIT_SIGNAL && status <= 255)
		return STATUS_WHO_SIGNAL;
	return STATUS_WHO_UNUSED;
}

const char *status_who_name(enum status_who who)
{
	switch (who) {
	case STATUS_WHO_NONE:
		return "clean end";
	case STATUS_WHO_MONITOR:
		return "monitor or host failure";
	case STATUS_WHO_USER:
		return "user error";
	case STATUS_WHO_GUEST:
		return "guest";
	case STATUS_WHO_KVM:
		return "KVM failure";
	case STATUS_WHO_SIGNAL:
		return "signal";
	case STATUS_WHO_UNUSED:
		break;
	}
	return "unused status";
}
