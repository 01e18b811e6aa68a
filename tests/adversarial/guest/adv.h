// Helpers shared by the adversarial guest programs: each check prints one line,
// "ok: WHAT: ..." or "FAIL: WHAT: ...", and adversarial_test.go fails on any FAIL line
// and on a missing "done" line (the guest did not get to the end).
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int adv_failed;

// errname is the errno's symbolic name (EINVAL), or "0" for success.
static const char *errname(int e) {
	if (e == 0)
		return "0";
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

// expect_err checks that a call returned -1 with errno want (ret is its result, taken
// right after the call so that errno is still its own).
__attribute__((unused)) static void expect_err(const char *what, long ret, int want) {
	int e = ret == -1 ? errno : 0;
	if (ret == -1 && e == want) {
		printf("ok: %s: %s\n", what, errname(e));
	} else {
		printf("FAIL: %s: got %ld (%s), want -1 %s\n", what, ret, errname(e), errname(want));
		adv_failed = 1;
	}
	fflush(stdout);
}

// expect_ok checks that a call succeeded (returned something other than -1).
__attribute__((unused)) static void expect_ok(const char *what, long ret) {
	if (ret != -1) {
		printf("ok: %s\n", what);
	} else {
		printf("FAIL: %s: -1 %s\n", what, errname(errno));
		adv_failed = 1;
	}
	fflush(stdout);
}

// check reports a condition the program tested itself.
__attribute__((unused)) static void check(int cond, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	printf(cond ? "ok: " : "FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (!cond)
		adv_failed = 1;
}

__attribute__((unused)) static int done(void) {
	printf("done\n");
	return adv_failed;
}
