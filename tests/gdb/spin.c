/* Spins until weft's instruction limit ends it: tests/gdb_test.go interrupts it from
 * gdb (Ctrl-C) and kills it. */
volatile unsigned long spins;

int main(void) {
	for (;;)
		spins++;
}
