/*
 * A ChaCha20-based CSPRNG (RFC 8439's block function used as a keystream
 * generator, with the key replaced after every request so earlier output
 * cannot be recomputed from a later state: "fast key erasure").
 * Seeded from RDSEED/RDRAND when the CPU has them and from TSC jitter
 * always (arch_entropy()).
 *
 * Locking: rng_lock (irqsave) protects the key and counter.
 */
#include <kernel/random.h>
#include <kernel/arch.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

static struct spinlock rng_lock = SPINLOCK_INIT("random");
static uint32_t key[8];
static uint64_t counter;

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                  \
	do {                                                            \
		a += b; d ^= a; d = ROTL(d, 16);                        \
		c += d; b ^= c; b = ROTL(b, 12);                        \
		a += b; d ^= a; d = ROTL(d, 8);                         \
		c += d; b ^= c; b = ROTL(b, 7);                         \
	} while (0)

/* One 64-byte ChaCha20 block for (key, counter). */
static void chacha20_block(uint32_t out[16], const uint32_t k[8], uint64_t ctr)
{
	uint32_t s[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
		k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7],
		(uint32_t)ctr, (uint32_t)(ctr >> 32), 0, 0,
	};
	uint32_t x[16];

	memcpy(x, s, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + s[i];
}

void random_init(void)
{
	uint64_t seed[8];

	for (int i = 0; i < 8; i++)
		seed[i] = arch_entropy();
	unsigned long flags = spin_lock_irqsave(&rng_lock);
	for (int i = 0; i < 8; i++)
		key[i] ^= (uint32_t)seed[i] ^ (uint32_t)(seed[(i + 3) % 8] >> 32);
	spin_unlock_irqrestore(&rng_lock, flags);
}

void random_bytes(void *buf, size_t len)
{
	uint32_t block[16];
	uint8_t *out = buf;
	unsigned long flags = spin_lock_irqsave(&rng_lock);

	while (len) {
		chacha20_block(block, key, counter++);
		size_t n = MIN(len, sizeof(block));
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	/* Fast key erasure: the next key is keystream nobody has seen. */
	chacha20_block(block, key, counter++);
	memcpy(key, block, sizeof(key));
	spin_unlock_irqrestore(&rng_lock, flags);
	memset(block, 0, sizeof(block));
}

uint64_t random_u64(void)
{
	uint64_t v;
	random_bytes(&v, sizeof(v));
	return v;
}
