// execve's errors for programs weft cannot load, as binfmt_elf gives them
// (execve(2)): a dynamically linked program whose interpreter is not in the file
// system is ENOENT; an ELF file for another machine (the host's true) and a file that
// is neither ELF nor a script are ENOEXEC; a #! script whose interpreter is missing is
// ENOENT too. The programs come from a --mount of the host at /m.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try(const char *path) {
	char *argv[] = {(char *)path, NULL};
	execv(path, argv);
	printf("%s: %s\n", path, strerror(errno));
}

int main(void) {
	try("/m/dynamic");
	try("/m/host-true");
	int fd = open("/tmp/garbage", O_CREAT | O_WRONLY, 0755);
	write(fd, "\x01\x02garbage", 9);
	close(fd);
	try("/tmp/garbage");
	fd = open("/tmp/script", O_CREAT | O_WRONLY, 0755);
	write(fd, "#!/no/such/shell\n", 17);
	close(fd);
	try("/tmp/script");
	return 0;
}
