// Integer-heavy kernels: CRC-32 (table and bitwise), SHA-256, Adler-32 and
// a xorshift generator, over a few hundred kilobytes of generated data.
// Known-answer tests ("abc" etc.) make wrong results obvious.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc_table[256];
static void crc_init(void) {
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}
static uint32_t crc32_tab(const uint8_t *p, size_t n) {
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}
static uint32_t crc32_bit(const uint8_t *p, size_t n) {
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
	uint32_t a = 1, b = 0;
	while (n--) {
		a = (a + *p++) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void sha256(const uint8_t *msg, size_t len, uint8_t out[32]) {
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	size_t total = ((len + 8) / 64 + 1) * 64;
	uint8_t block[64];
	for (size_t off = 0; off < total; off += 64) {
		for (int i = 0; i < 64; i++) {
			size_t pos = off + (size_t)i;
			uint8_t b;
			if (pos < len)
				b = msg[pos];
			else if (pos == len)
				b = 0x80;
			else if (pos >= total - 8)
				b = (uint8_t)(((uint64_t)len * 8) >> (8 * (total - 1 - pos)));
			else
				b = 0;
			block[i] = b;
		}
		uint32_t w[64];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
			       (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
		for (int i = 0; i < 64; i++) {
			uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
			uint32_t ch = (e & f) ^ (~e & g);
			uint32_t t1 = hh + S1 + ch + K[i] + w[i];
			uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
			uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
			uint32_t t2 = S0 + mj;
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (uint8_t)(h[i] >> (24 - 8 * k));
}

static void hex(const char *label, const uint8_t *d, int n) {
	printf("%s", label);
	for (int i = 0; i < n; i++)
		printf("%02x", d[i]);
	printf("\n");
}

static uint8_t data[300000];

int main(void) {
	crc_init();
	const char *kat[] = {"", "abc", "The quick brown fox jumps over the lazy dog",
	                     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
	for (int i = 0; i < 4; i++) {
		const uint8_t *m = (const uint8_t *)kat[i];
		size_t n = strlen(kat[i]);
		uint8_t dg[32];
		sha256(m, n, dg);
		printf("'%s': crc32=%08x/%08x adler32=%08x\n", kat[i], crc32_tab(m, n), crc32_bit(m, n),
		       adler32(m, n));
		hex("  sha256=", dg, 32);
	}
	uint64_t s = 88172645463325252ULL;
	for (size_t i = 0; i < sizeof data; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		data[i] = (uint8_t)(s >> 32);
	}
	for (size_t n = 1; n <= sizeof data; n = n * 4 + 3) {
		uint8_t dg[32];
		sha256(data, n, dg);
		printf("data[%zu]: crc32=%08x adler32=%08x", n, crc32_tab(data, n), adler32(data, n));
		hex(" sha256=", dg, 32);
	}
	printf("bitwise crc of 64K: %08x\n", crc32_bit(data, 65536));
	return 0;
}
