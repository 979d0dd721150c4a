// SPDX-License-Identifier: GPL-2.0
/* Exit statuses (vmm/status.h): each row of the table, and the guest's range. */
#include <signal.h>

#include "status.h"
#include "suites.h"

START_TEST(guest_values_pass_or_fold)
{
	ck_assert_int_eq(status_from_guest(0), 0);
	ck_assert_int_eq(status_from_guest(3), 3);
	ck_assert_int_eq(status_from_guest(42), 42);
	ck_assert_int_eq(status_from_guest(119), 119);
	ck_assert_int_eq(status_from_guest(1), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(2), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(120), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(121), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(137), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(255), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(-1), TESSERA_EXIT_GUEST_RANGE);
	ck_assert_int_eq(status_from_guest(256), TESSERA_EXIT_GUEST_RANGE);
}
END_TEST

/* Whatever byte the guest writes, the status says "guest" (or a clean end). */
START_TEST(guest_cannot_pose)
{
	for (int v = 0; v < 256; v++) {
		int s = status_from_guest(v);
		enum status_who w = status_who(s);

		ck_assert_msg(w == STATUS_WHO_GUEST || (v == 0 && w == STATUS_WHO_NONE),
			      "guest value %d -> status %d (%s)", v, s,
			      status_who_name(w));
		ck_assert_int_eq(status_guest_exit(v), s);
	}
}
END_TEST

START_TEST(each_row)
{
	ck_assert_int_eq(status_who(0), STATUS_WHO_NONE);
	ck_assert_int_eq(status_who(TESSERA_EXIT_ERROR), STATUS_WHO_MONITOR);
	ck_assert_int_eq(status_who(TESSERA_EXIT_USAGE), STATUS_WHO_USER);
	ck_assert_int_eq(status_who(3), STATUS_WHO_GUEST);
	ck_assert_int_eq(status_who(119), STATUS_WHO_GUEST);
	ck_assert_int_eq(status_who(TESSERA_EXIT_SHUTDOWN), STATUS_WHO_GUEST);
	ck_assert_int_eq(status_who(TESSERA_EXIT_KVM_ERROR), STATUS_WHO_KVM);
	ck_assert_int_eq(status_who(TESSERA_EXIT_GUEST_RANGE), STATUS_WHO_GUEST);
	for (int s = 123; s <= 128; s++)
		ck_assert_int_eq(status_who(s), STATUS_WHO_UNUSED);
	ck_assert_int_eq(status_who(TESSERA_EXIT_SIGNAL + SIGHUP), STATUS_WHO_SIGNAL);
	ck_assert_int_eq(status_who(TESSERA_EXIT_SIGNAL + SIGTERM), STATUS_WHO_SIGNAL);
	ck_assert_int_eq(status_who(TESSERA_EXIT_SIGNAL + SIGKILL), STATUS_WHO_SIGNAL);
	ck_assert_int_eq(status_who(256), STATUS_WHO_UNUSED);
	ck_assert_int_eq(status_who(-1), STATUS_WHO_UNUSED);
	ck_assert_str_eq(status_who_name(STATUS_WHO_USER), "user error");
	ck_assert_str_eq(status_who_name(STATUS_WHO_GUEST), "guest");
}
END_TEST

Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, guest_values_pass_or_fold);
	tcase_add_test(tc, guest_cannot_pose);
	tcase_add_test(tc, each_row);
	suite_add_tcase(s, tc);
	return s;
}
