// Core dumps (core(5), signal(7), wait(2), madvise(2), prctl(2)), as a user in a fresh
// directory under /tmp: the default core_pattern "core" names a file in the working
// directory.
//
// Man page rules checked: with RLIMIT_CORE 0 (the default soft limit) a process
// killed by SIGABRT writes no core and its status has no core-dump bit (waitid says
// CLD_KILLED); once the limit allows, it writes an ELF core (ET_CORE, EM_RISCV), the
// status has WCOREDUMP and waitid says CLD_DUMPED; memory marked MADV_DONTDUMP is left
// out and MADV_DODUMP puts it back; PR_SET_DUMPABLE 0 stops the dump; SIGTERM's
// default action is to terminate without a core; a limit of one page still counts as
// a dump, cut at the limit; /proc/self/coredump_filter reads 00000033.
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *region;
// needle is the marker to look for, made only while the parent searches and wiped
// after: a child's dump must find the marker only in the region, never in what the
// parent left in its memory.
static char needle[32];

// mark writes the marker to dst, each byte flipped from a stored one so that no copy
// of it is in the program's image (the compiler folds constant string copies).
static void mark(char *dst)
{
	static const char flipped[] = "WEFT\rCORE\rMARKER\r\x17" "D\x11" "C";
	size_t i;
	for (i = 0; flipped[i]; i++)
		dst[i] = flipped[i] ^ 0x20;
	dst[i] = 0;
}

// child dies of sig after applying advice to the marked region (0: none) and, if
// undumpable, PR_SET_DUMPABLE 0; the parent reports what wait and waitid say.
static void die(const char *what, int sig, int advice, int undumpable)
{
	unlink("core");
	pid_t pid = fork();
	if (pid == 0) {
		if (advice && madvise(region, 4096, advice) != 0)
			_exit(99);
		if (undumpable)
			prctl(PR_SET_DUMPABLE, 0);
		kill(getpid(), sig);
		_exit(98);
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	int st;
	waitpid(pid, &st, 0);
	struct stat sb;
	int have = stat("core", &sb) == 0;
	int found = 0, elf = 0;
	if (have) {
		// Mapped, not read: a copy in the parent's heap would show up in the next
		// child's core.
		int fd = open("core", O_RDONLY);
		char *buf = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (buf != MAP_FAILED) {
			Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
			elf = sb.st_size >= (off_t)sizeof *h && memcmp(h->e_ident, ELFMAG, SELFMAG) == 0 &&
			      h->e_type == ET_CORE && h->e_machine == EM_RISCV;
			mark(needle);
			found = memmem(buf, sb.st_size, needle, strlen(needle)) != NULL;
			memset(needle, 0, sizeof needle);
			munmap(buf, sb.st_size);
		}
	}
	printf("%-22s signaled=%d sig=%d coredump=%d si_code=%s core=%d elf=%d marker=%d\n", what,
	       WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) ? 1 : 0,
	       si.si_code == CLD_DUMPED ? "CLD_DUMPED" : si.si_code == CLD_KILLED ? "CLD_KILLED" : "?",
	       have, elf, found);
}

int main(void)
{
	char dir[] = "/tmp/weft-core-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	region = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mark(region);

	char filter[32] = "";
	FILE *f = fopen("/proc/self/coredump_filter", "r");
	if (f && fgets(filter, sizeof filter, f))
		printf("coredump_filter %s", filter);
	if (f)
		fclose(f);

	struct rlimit rl;
	getrlimit(RLIMIT_CORE, &rl);
	printf("RLIMIT_CORE soft %lu\n", (unsigned long)rl.rlim_cur);
	die("limit 0", SIGABRT, 0, 0);

	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_CORE, &rl);
	die("SIGABRT", SIGABRT, 0, 0);
	die("SIGQUIT", SIGQUIT, 0, 0);
	die("SIGSEGV", SIGSEGV, 0, 0);
	die("SIGTERM", SIGTERM, 0, 0);
	die("MADV_DONTDUMP", SIGABRT, MADV_DONTDUMP, 0);
	die("MADV_DODUMP", SIGABRT, MADV_DODUMP, 0);
	die("PR_SET_DUMPABLE 0", SIGABRT, 0, 1);

	rl.rlim_cur = 4096;
	setrlimit(RLIMIT_CORE, &rl);
	die("limit 4096", SIGABRT, 0, 0);
	struct stat sb;
	if (stat("core", &sb) == 0)
		printf("core size <= 4096: %d\n", sb.st_size <= 4096);

	unlink("core");
	chdir("/");
	rmdir(dir);
	return 0;
}
