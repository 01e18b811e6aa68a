// /proc/self/maps shows the protection a mapping was given, write-only and
// write-and-execute ones included, after mmap(2) and after mprotect(2).
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void show(const char *what, char *addr)
{
	char line[512], want[32];
	snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
	FILE *f = fopen("/proc/self/maps", "r");
	while (fgets(line, sizeof line, f))
		if (strncmp(line, want, strlen(want)) == 0) {
			char perms[8] = "";
			sscanf(line, "%*s %7s", perms);
			printf("%-28s %s\n", what, perms);
		}
	fclose(f);
}

int main(void)
{
	static const struct {
		const char *name;
		int prot;
	} prots[] = {
		{"PROT_NONE", PROT_NONE}, {"PROT_READ", PROT_READ}, {"PROT_WRITE", PROT_WRITE},
		{"PROT_READ|PROT_WRITE", PROT_READ | PROT_WRITE}, {"PROT_READ|PROT_EXEC", PROT_READ | PROT_EXEC},
		{"PROT_WRITE|PROT_EXEC", PROT_WRITE | PROT_EXEC},
	};
	for (unsigned i = 0; i < sizeof prots / sizeof prots[0]; i++) {
		char *p = mmap(NULL, 4096, prots[i].prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		show(prots[i].name, p);
		munmap(p, 4096);
	}
	char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mprotect(p, 4096, PROT_WRITE);
	show("shared, mprotect PROT_WRITE", p);
	mprotect(p, 4096, PROT_READ | PROT_WRITE);
	show("then PROT_READ|PROT_WRITE", p);
	return 0;
}
