// SPDX-License-Identifier: GPL-2.0
/*
 * cidr: parsing (every way an operator may write or mistype a prefix),
 * formatting round trips, containment and equality. Each table row is one
 * loop iteration, so a failure names its row.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cidr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct good_row {
	const char *in;
	int family;
	int len;
	const char *out;	/* cidr_format of the result */
};

static const struct good_row good_rows[] = {
	{ "198.18.0.0/15", 4, 15, "198.18.0.0/15" },
	{ "198.18.0.0/24", 4, 24, "198.18.0.0/24" },
	{ "198.18.0.1", 4, 32, "198.18.0.1/32" },
	{ "198.18.0.1/32", 4, 32, "198.18.0.1/32" },
	{ "0.0.0.0/0", 4, 0, "0.0.0.0/0" },
	{ "0.0.0.0", 4, 32, "0.0.0.0/32" },
	{ "128.0.0.0/1", 4, 1, "128.0.0.0/1" },
	{ "198.18.0.128/25", 4, 25, "198.18.0.128/25" },
	{ "255.255.255.255/32", 4, 32, "255.255.255.255/32" },
	{ "255.255.255.254/31", 4, 31, "255.255.255.254/31" },
	{ "::/0", 6, 0, "::/0" },
	{ "::", 6, 128, "::/128" },
	{ "::1", 6, 128, "::1/128" },
	{ "::1/128", 6, 128, "::1/128" },
	{ "2001:db8::/32", 6, 32, "2001:db8::/32" },
	{ "2001:DB8:A::/48", 6, 48, "2001:db8:a::/48" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0000/32", 6, 32, "2001:db8::/32" },
	{ "2001:db8:0:0:1:0:0:1", 6, 128, "2001:db8::1:0:0:1/128" },
	{ "2001:db8::1/128", 6, 128, "2001:db8::1/128" },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 6, 128,
	  "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128" },
	{ "2001:db8::/127", 6, 127, "2001:db8::/127" },
	{ "fe80::/10", 6, 10, "fe80::/10" },
	{ "8000::/1", 6, 1, "8000::/1" },
	/* Mapped addresses stay IPv6: packets carry them in IPv6 headers. */
	{ "::ffff:198.18.0.1", 6, 128, "::ffff:198.18.0.1/128" },
	{ "::ffff:198.18.0.0/120", 6, 120, "::ffff:198.18.0.0/120" },
	{ "::FFFF:c612:1", 6, 128, "::ffff:198.18.0.1/128" },
};

START_TEST(test_parse_good)
{
	const struct good_row *row = &good_rows[_i];
	char err[256] = "", buf[XS_CIDR_STRLEN];
	struct xs_prefix p, again;
	int ret;

	memset(&p, 0xaa, sizeof(p));
	ret = cidr_parse(row->in, &p, err, sizeof(err));
	ck_assert_msg(ret == 0, "row %d \"%s\": ret %d, err '%s'", _i, row->in, ret, err);
	ck_assert_msg(p.family == row->family, "row %d \"%s\": family %d", _i, row->in,
		      p.family);
	ck_assert_msg(p.len == row->len, "row %d \"%s\": len %d", _i, row->in, p.len);
	ck_assert_msg(!strcmp(cidr_format(&p, buf, sizeof(buf)), row->out),
		      "row %d \"%s\": formatted '%s', expected '%s'", _i, row->in, buf, row->out);
	if (p.family == 4) {
		static const uint8_t zero[12];

		ck_assert_msg(!memcmp(p.addr + 4, zero, sizeof(zero)),
			      "row %d \"%s\": bytes after an IPv4 address not zero", _i, row->in);
	}

	/* The canonical form parses back to the same prefix. */
	ret = cidr_parse(buf, &again, err, sizeof(err));
	ck_assert_msg(ret == 0 && cidr_equal(&p, &again), "row %d \"%s\": round trip via '%s'",
		      _i, row->in, buf);
	ck_assert_msg(!memcmp(p.addr, again.addr, sizeof(p.addr)), "row %d: addr bytes differ",
		      _i);
}
END_TEST

struct bad_row {
	const char *in;
	const char *err;	/* the whole message */
};

static const struct bad_row bad_rows[] = {
	{ "", "expected a CIDR, got \"\"" },
	{ "/", "expected a CIDR, got \"/\"" },
	{ "/24", "expected a CIDR, got \"/24\"" },
	{ "1.2.3.4/", "expected a CIDR, got \"1.2.3.4/\"" },
	{ "1.2.3.4/33", "expected a CIDR, got \"1.2.3.4/33\"" },
	{ "198.18.0.0/33", "expected a CIDR, got \"198.18.0.0/33\"" },
	{ "::/129", "expected a CIDR, got \"::/129\"" },
	{ "2001:db8::/200", "expected a CIDR, got \"2001:db8::/200\"" },
	{ "1.2.3.0/24x", "expected a CIDR, got \"1.2.3.0/24x\"" },
	{ "1.2.3.0/24/8", "expected a CIDR, got \"1.2.3.0/24/8\"" },
	{ "1.2.3.0//24", "expected a CIDR, got \"1.2.3.0//24\"" },
	{ "1.2.3.0/+24", "expected a CIDR, got \"1.2.3.0/+24\"" },
	{ "1.2.3.0/-24", "expected a CIDR, got \"1.2.3.0/-24\"" },
	{ "1.2.3.0/-0", "expected a CIDR, got \"1.2.3.0/-0\"" },
	{ "1.2.3.0/ 24", "expected a CIDR, got \"1.2.3.0/ 24\"" },
	{ "1.2.3.0/\t24", "expected a CIDR, got \"1.2.3.0/\\x0924\"" },
	{ "1.2.3.0/24 ", "expected a CIDR, got \"1.2.3.0/24 \"" },
	{ " 1.2.3.0/24", "expected a CIDR, got \" 1.2.3.0/24\"" },
	{ "1.2.3.0 /24", "expected a CIDR, got \"1.2.3.0 /24\"" },
	{ "+1.2.3.0/24", "expected a CIDR, got \"+1.2.3.0/24\"" },
	{ "-1.2.3.0/24", "expected a CIDR, got \"-1.2.3.0/24\"" },
	{ "1.2.3.0/0x18", "expected a CIDR, got \"1.2.3.0/0x18\"" },
	/* Leading zeros are refused: "/08" reads as octal to some tools. */
	{ "1.2.3.0/08", "expected a CIDR, got \"1.2.3.0/08\"" },
	{ "1.2.3.0/024", "expected a CIDR, got \"1.2.3.0/024\"" },
	{ "0.0.0.0/00", "expected a CIDR, got \"0.0.0.0/00\"" },
	{ "2001:db8::/032", "expected a CIDR, got \"2001:db8::/032\"" },
	{ "01.2.3.0/24", "expected a CIDR, got \"01.2.3.0/24\"" },
	{ "198.018.0.0/16", "expected a CIDR, got \"198.018.0.0/16\"" },
	/* Would wrap to /24 in a 32-bit unsigned. */
	{ "1.2.3.0/4294967320", "expected a CIDR, got \"1.2.3.0/4294967320\"" },
	{ "1.2.3.0/99999999999999999999999", "expected a CIDR, got "
	  "\"1.2.3.0/99999999999999999999999\"" },
	{ "10/8", "expected a CIDR, got \"10/8\"" },
	{ "1.2.3", "expected a CIDR, got \"1.2.3\"" },
	{ "1.2.3.4.5", "expected a CIDR, got \"1.2.3.4.5\"" },
	{ "256.0.0.0/8", "expected a CIDR, got \"256.0.0.0/8\"" },
	{ "0x1.2.3.4", "expected a CIDR, got \"0x1.2.3.4\"" },
	{ "localhost", "expected a CIDR, got \"localhost\"" },
	{ "2001:db8:::/48", "expected a CIDR, got \"2001:db8:::/48\"" },
	{ "2001:db8::g/64", "expected a CIDR, got \"2001:db8::g/64\"" },
	{ "1:2:3:4:5:6:7:8:9", "expected a CIDR, got \"1:2:3:4:5:6:7:8:9\"" },
	{ "2001:db8::/32x", "expected a CIDR, got \"2001:db8::/32x\"" },
	{ "[2001:db8::]/32", "expected a CIDR, got \"[2001:db8::]/32\"" },
	{ "::ffff:198.18.0.256", "expected a CIDR, got \"::ffff:198.18.0.256\"" },
	{ "fe80::1%eth0", "expected a CIDR without a zone id, got \"fe80::1%eth0\"" },
	{ "fe80::%eth0/64", "expected a CIDR without a zone id, got \"fe80::%eth0/64\"" },
	{ "198.18.0.1/24", "host bits set in \"198.18.0.1/24\" (did you mean 198.18.0.0/24?)" },
	{ "198.18.0.0/0", "host bits set in \"198.18.0.0/0\" (did you mean 0.0.0.0/0?)" },
	{ "198.18.0.129/25",
	  "host bits set in \"198.18.0.129/25\" (did you mean 198.18.0.128/25?)" },
	{ "198.19.0.0/15", "host bits set in \"198.19.0.0/15\" (did you mean 198.18.0.0/15?)" },
	{ "2001:db8::1/32", "host bits set in \"2001:db8::1/32\" (did you mean 2001:db8::/32?)" },
	{ "2001:db8::1/127",
	  "host bits set in \"2001:db8::1/127\" (did you mean 2001:db8::/127?)" },
	{ "::1/0", "host bits set in \"::1/0\" (did you mean ::/0?)" },
	/* The input is quoted so a message stays one readable line. */
	{ "a\"b", "expected a CIDR, got \"a\\\"b\"" },
	{ "a\\b", "expected a CIDR, got \"a\\\\b\"" },
	{ "198.18.0.0/24\x0b", "expected a CIDR, got \"198.18.0.0/24\\x0b\"" },
	{ "\x1c" "198.18.0.0/24", "expected a CIDR, got \"\\x1c198.18.0.0/24\"" },
	{ "198.18.0.1/24\x1c", "expected a CIDR, got \"198.18.0.1/24\\x1c\"" },
	{ "fe80::1%\x0b\x7f", "expected a CIDR without a zone id, got \"fe80::1%\\x0b\\x7f\"" },
	{ "1.2.3.0/24\n", "expected a CIDR, got \"1.2.3.0/24\\x0a\"" },
	{ "1.2.3.0/24\r", "expected a CIDR, got \"1.2.3.0/24\\x0d\"" },
	{ "caf\xc3\xa9", "expected a CIDR, got \"caf\\xc3\\xa9\"" },
};

START_TEST(test_parse_bad)
{
	const struct bad_row *row = &bad_rows[_i];
	struct xs_prefix p, before;
	char err[512] = "";
	int ret;

	memset(&p, 0x5a, sizeof(p));
	before = p;
	ret = cidr_parse(row->in, &p, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "row %d \"%s\": ret %d", _i, row->in, ret);
	ck_assert_msg(!strcmp(err, row->err), "row %d: err '%s', expected '%s'", _i, err,
		      row->err);
	ck_assert_msg(!memcmp(&p, &before, sizeof(p)), "row %d: output written on error", _i);
}
END_TEST

START_TEST(test_parse_long_input)
{
	char in[300], want[200], err[512];
	struct xs_prefix p;

	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	snprintf(want, sizeof(want), "expected a CIDR, got \"%.80s\"...", in);
	ck_assert_int_eq(cidr_parse(in, &p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_parse_err_buffers)
{
	struct xs_prefix p;
	char small[8];

	/* Callers that only want the verdict pass no buffer. */
	ck_assert_int_eq(cidr_parse("1.2.3.0/33", &p, NULL, 0), -EINVAL);
	ck_assert_int_eq(cidr_parse(NULL, &p, NULL, 0), -EINVAL);
	ck_assert_int_eq(cidr_parse("1.2.3.0/24", &p, NULL, 0), 0);

	ck_assert_int_eq(cidr_parse("1.2.3.0/33", &p, small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "expecte");
}
END_TEST

struct contains_row {
	const char *prefix;
	const char *addr;
	int want;
};

static const struct contains_row contains_rows[] = {
	{ "198.18.0.0/15", "198.18.0.0", 1 },
	{ "198.18.0.0/15", "198.19.255.255", 1 },
	{ "198.18.0.0/15", "198.20.0.0", 0 },
	{ "198.18.0.0/15", "198.17.255.255", 0 },
	{ "198.18.0.128/25", "198.18.0.200", 1 },
	{ "198.18.0.128/25", "198.18.0.127", 0 },
	{ "198.18.0.1/32", "198.18.0.1", 1 },
	{ "198.18.0.1/32", "198.18.0.2", 0 },
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "0.0.0.0/0", "::1", 0 },
	{ "::/0", "2001:db8::1", 1 },
	{ "::/0", "198.18.0.1", 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::", 0 },
	{ "2001:db8::/127", "2001:db8::1", 1 },
	{ "2001:db8::/127", "2001:db8::2", 0 },
	{ "fe80::/10", "febf::1", 1 },
	{ "fe80::/10", "fec0::1", 0 },
	{ "::ffff:198.18.0.0/120", "::ffff:198.18.0.7", 1 },
	{ "::ffff:198.18.0.0/120", "198.18.0.7", 0 },
};

static void parse_addr(const char *s, int *family, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (strchr(s, ':')) {
		*family = 6;
		ck_assert_int_eq(inet_pton(AF_INET6, s, addr), 1);
	} else {
		*family = 4;
		ck_assert_int_eq(inet_pton(AF_INET, s, addr), 1);
	}
}

START_TEST(test_contains)
{
	const struct contains_row *row = &contains_rows[_i];
	struct xs_prefix p;
	uint8_t addr[16];
	int family;

	ck_assert_int_eq(cidr_parse(row->prefix, &p, NULL, 0), 0);
	parse_addr(row->addr, &family, addr);
	ck_assert_msg(cidr_contains(&p, family, addr) == row->want, "row %d: %s contains %s != %d",
		      _i, row->prefix, row->addr, row->want);
}
END_TEST

struct equal_row {
	const char *a;
	const char *b;
	int want;
};

static const struct equal_row equal_rows[] = {
	{ "198.18.0.0/24", "198.18.0.0/24", 1 },
	{ "198.18.0.0/24", "198.18.0.0/25", 0 },
	{ "198.18.0.0/24", "198.18.1.0/24", 0 },
	{ "198.18.0.1", "198.18.0.1/32", 1 },
	{ "2001:DB8::/32", "2001:db8::/32", 1 },
	{ "2001:db8::/32", "2001:0db8:0:0::/32", 1 },
	{ "2001:db8::/32", "2001:db8::/33", 0 },
	{ "0.0.0.0/0", "::/0", 0 },
	{ "::ffff:198.18.0.1", "198.18.0.1", 0 },
	{ "::ffff:198.18.0.1", "::ffff:c612:1", 1 },
};

START_TEST(test_equal)
{
	const struct equal_row *row = &equal_rows[_i];
	struct xs_prefix a, b;

	ck_assert_int_eq(cidr_parse(row->a, &a, NULL, 0), 0);
	ck_assert_int_eq(cidr_parse(row->b, &b, NULL, 0), 0);
	ck_assert_msg(cidr_equal(&a, &b) == row->want, "row %d: %s == %s != %d", _i, row->a,
		      row->b, row->want);
	ck_assert_msg(cidr_equal(&b, &a) == row->want, "row %d: not symmetric", _i);
}
END_TEST

START_TEST(test_equal_ignores_bits_past_len)
{
	struct xs_prefix a = { .family = 4, .len = 24, .addr = { 198, 18, 0, 0 } };
	struct xs_prefix b = a;

	/* Structs built by hand may carry junk past the length. */
	b.addr[3] = 7;
	b.addr[9] = 1;
	ck_assert(cidr_equal(&a, &b));
	b.addr[2] = 1;
	ck_assert(!cidr_equal(&a, &b));
}
END_TEST

/*
 * cidr_normalize at the boundary: with the last bit of the prefix set the
 * prefix is whole and kept; with the first bit past it set, it is refused
 * and cut back to the network. A mask one bit short or one bit long fails
 * one of the two, at every length (within a byte, at a byte's edges, at
 * the half of an IPv6 address, at both ends).
 */
struct norm_row {
	int family;
	unsigned int len;
};

static const struct norm_row norm_rows[] = {
	{ 4, 0 }, { 4, 1 }, { 4, 7 }, { 4, 8 }, { 4, 9 }, { 4, 31 }, { 4, 32 },
	{ 6, 0 }, { 6, 1 }, { 6, 7 }, { 6, 8 }, { 6, 9 }, { 6, 31 }, { 6, 32 },
	{ 6, 63 }, { 6, 64 }, { 6, 65 }, { 6, 127 }, { 6, 128 },
};

static void set_bit(uint8_t *addr, unsigned int bit)
{
	addr[bit / 8] |= 0x80 >> (bit % 8);
}

START_TEST(test_normalize_boundary)
{
	const struct norm_row *row = &norm_rows[_i];
	unsigned int max = row->family == 4 ? 32 : 128, b;
	struct xs_prefix p = { .family = row->family, .len = row->len }, n, want;
	char ps[XS_CIDR_STRLEN], ns[XS_CIDR_STRLEN];

	/* Every bit of the prefix set, the last one included: kept whole. */
	for (b = 0; b < row->len; b++)
		set_bit(p.addr, b);
	want = p;
	memset(&n, 0x5a, sizeof(n));
	ck_assert_msg(cidr_normalize(&p, &n) == 0, "IPv%d /%u: %s with every prefix bit set "
		      "refused", row->family, row->len, cidr_format(&p, ps, sizeof(ps)));
	ck_assert_msg(!memcmp(&n, &want, sizeof(n)), "IPv%d /%u: %s normalized to %s",
		      row->family, row->len, cidr_format(&p, ps, sizeof(ps)),
		      cidr_format(&n, ns, sizeof(ns)));

	/* Only the last bit of the prefix set. */
	if (row->len) {
		memset(p.addr, 0, sizeof(p.addr));
		set_bit(p.addr, row->len - 1);
		ck_assert_msg(cidr_normalize(&p, &n) == 0 && !memcmp(&n, &p, sizeof(n)),
			      "IPv%d /%u: last prefix bit lost in %s", row->family, row->len,
			      cidr_format(&p, ps, sizeof(ps)));
	}

	/* The first host bit set, alone and beside every prefix bit: refused,
	 * and the network is what the prefix bits say. */
	if (row->len < max) {
		memset(p.addr, 0, sizeof(p.addr));
		set_bit(p.addr, row->len);
		ck_assert_msg(cidr_normalize(&p, &n) == -EINVAL, "IPv%d /%u: host bit in %s taken",
			      row->family, row->len, cidr_format(&p, ps, sizeof(ps)));
		set_bit(want.addr, row->len);
		ck_assert_msg(cidr_normalize(&want, &n) == -EINVAL, "IPv%d /%u: host bit in %s "
			      "taken", row->family, row->len, cidr_format(&want, ps, sizeof(ps)));
		want.addr[row->len / 8] &= ~(0x80 >> (row->len % 8));
		ck_assert_msg(!memcmp(&n, &want, sizeof(n)), "IPv%d /%u: network %s, expected %s",
			      row->family, row->len, cidr_format(&n, ns, sizeof(ns)),
			      cidr_format(&want, ps, sizeof(ps)));
	}
}
END_TEST

START_TEST(test_normalize_other)
{
	struct xs_prefix p = { .family = 4, .len = 24, .addr = { 198, 18, 0, 0, 7, [15] = 9 } };
	struct xs_prefix n;
	uint8_t zero[12] = {};

	/* Bytes an IPv4 address does not use are not host bits, and go. */
	ck_assert_int_eq(cidr_normalize(&p, &n), 0);
	ck_assert_mem_eq(n.addr, p.addr, 4);
	ck_assert_mem_eq(n.addr + 4, zero, sizeof(zero));

	p.len = 33;
	ck_assert_int_eq(cidr_normalize(&p, &n), -EINVAL);
	p = (struct xs_prefix){ .family = 6, .len = 129 };
	ck_assert_int_eq(cidr_normalize(&p, &n), -EINVAL);
	p = (struct xs_prefix){ .family = 5, .len = 0 };
	ck_assert_int_eq(cidr_normalize(&p, &n), -EINVAL);
}
END_TEST

START_TEST(test_format)
{
	static const uint8_t v4[16] = { 198, 18, 0, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct xs_prefix p = { .family = 6, .len = 64, .addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	char buf[XS_CIDR_STRLEN], tiny[6];

	ck_assert_str_eq(addr_format(4, v4, buf, sizeof(buf)), "198.18.0.1");
	ck_assert_str_eq(addr_format(6, v6, buf, sizeof(buf)), "2001:db8::1");
	ck_assert_str_eq(addr_format(5, v6, buf, sizeof(buf)), "?");
	ck_assert_str_eq(cidr_format(&p, buf, sizeof(buf)), "2001:db8::/64");
	ck_assert_ptr_eq(cidr_format(&p, buf, sizeof(buf)), buf);

	/* Too small a buffer still ends in a NUL. */
	cidr_format(&p, tiny, sizeof(tiny));
	ck_assert(memchr(tiny, '\0', sizeof(tiny)) != NULL);

	/* The longest forms fit XS_CIDR_STRLEN. */
	ck_assert_int_eq(cidr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &p, NULL, 0),
			 0);
	ck_assert_str_eq(cidr_format(&p, buf, sizeof(buf)),
			 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}
END_TEST

static Suite *cidr_suite(void)
{
	Suite *s = suite_create("cidr");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_good, 0, ARRAY_SIZE(good_rows));
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad_rows));
	tcase_add_test(tc, test_parse_long_input);
	tcase_add_test(tc, test_parse_err_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_contains, 0, ARRAY_SIZE(contains_rows));
	tcase_add_loop_test(tc, test_equal, 0, ARRAY_SIZE(equal_rows));
	tcase_add_test(tc, test_equal_ignores_bits_past_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("normalize");
	tcase_add_loop_test(tc, test_normalize_boundary, 0, ARRAY_SIZE(norm_rows));
	tcase_add_test(tc, test_normalize_other);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cidr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
