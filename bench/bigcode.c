//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* Runs MIB mebibytes of freshly written code once: each 4 KiB page is 1023 addi
 * instructions and a ret, written into an anonymous mapping that is then made
 * executable. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 200;
	size_t size = mib << 20;
	uint32_t *code = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	size_t n = size / 4;
	for (size_t i = 0; i < n; i++)
		code[i] = (i % 1024 == 1023) ? 0x00008067 /* ret */ : 0x00150513 /* addi a0,a0,1 */;
	if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0) {
		perror("mprotect");
		return 1;
	}
	__builtin___clear_cache((char *)code, (char *)code + size);
	long sum = 0;
	for (size_t p = 0; p < n / 1024; p++)
		sum = ((long (*)(long))(code + p * 1024))(sum);
	printf("bigcode: %zu MiB, sum %ld\n", mib, sum);
	return 0;
}
