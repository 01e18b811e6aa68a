// stdin: wc_input.txt
// A cat/wc hybrid: reads stdin with read(2) until end of file, counts
// bytes, lines and words, a checksum, and echoes the lines that contain
// "weft" with line numbers.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
	char buf[137]; // odd size so reads split lines
	long bytes = 0, lines = 0, words = 0, reads = 0;
	unsigned long sum = 0;
	int inword = 0;
	char line[1024];
	size_t ll = 0;
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0) {
			perror("read");
			return 1;
		}
		if (n == 0)
			break;
		reads++;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];
			bytes++;
			sum = sum * 31 + c;
			if (isspace(c)) {
				inword = 0;
			} else if (!inword) {
				inword = 1;
				words++;
			}
			if (ll < sizeof line - 1)
				line[ll++] = (char)c;
			if (c == '\n') {
				lines++;
				line[ll] = 0;
				if (strstr(line, "weft"))
					printf("%4ld: %s", lines, line);
				ll = 0;
			}
		}
	}
	// A read after EOF keeps returning 0.
	ssize_t again = read(0, buf, sizeof buf);
	printf("bytes=%ld lines=%ld words=%ld checksum=%lu again=%zd nonempty-reads=%d\n", bytes, lines,
	       words, sum, again, reads > 0);
	return 0;
}
