// Mappings: 200000 adjacent anonymous pages merge into one mapping, as on Linux;
// mappings that cannot merge stop at vm.max_map_count with ENOMEM; and an mmap stays
// cheap however many mappings there are.
#include "adv.h"
#include <sys/mman.h>

int main(void) {
	long ok = 0;
	for (int i = 0; i < 200000; i++) {
		if (mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			break;
		ok++;
	}
	check(ok == 200000, "200000 adjacent mappings (got %ld)", ok);
	long n = 0;
	int err = 0;
	for (;;) {
		void *p = mmap(NULL, 4096, n % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
		n++;
	}
	check(err == ENOMEM && n > 60000 && n < 65530, "unmergeable mappings stop at vm.max_map_count with ENOMEM (%ld, %s)", n, errname(err));
	return done();
}
