// System V IPC: shared memory, semaphores and message queues, as a user (sysv_ipc)
// and as root (sysv_ipc.root). Only IPC_PRIVATE objects, all removed at the end. The
// expected output is Linux's (host kernel 6.18.44, through qemu-riscv64), identical to weft's.
//
// Man page rules checked (shmget(2), shmop(2), shmctl(2), semget(2), semop(2),
// semctl(2), msgget(2), msgop(2), msgctl(2), sysvipc(7)): a segment is shared with a
// forked child and counted in shm_nattch per attachment, fork included; IPC_RMID of an
// attached segment marks it SHM_DEST and it lives on until the last detach; shmdt of
// an address that is not an attachment is EINVAL; SHM_RDONLY attachments fault on
// write; a size bigger than the segment is EINVAL, an unknown key ENOENT, IPC_EXCL
// EEXIST; semop applies all of its operations or none, blocks until it can (a child
// posts), fails with EAGAIN under IPC_NOWAIT and on semtimedop's timeout, ERANGE past
// SEMVMX, EFBIG for a semaphore beyond the set; SEM_UNDO is undone when the process
// exits; GETNCNT counts a blocked waiter; message queues deliver by type (0: first,
// >0: that type, <0: lowest type up to |msgtyp|, MSG_EXCEPT), E2BIG unless
// MSG_NOERROR, ENOMSG under IPC_NOWAIT, block a receiver until a sender comes, and a
// removed queue wakes its waiters with EIDRM; IPC_STAT needs read permission and
// IPC_RMID ownership (a user cannot remove root's object: EPERM).
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-40s = %s\n", what, r_ < 0 ? ename(errno) : "ok"); } while (0)

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static sigjmp_buf jb;
static void segv(int sig) { siglongjmp(jb, sig); }

static int nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	return (int)ds.shm_nattch;
}

static void shm(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int id = shmget(IPC_PRIVATE, 3 * pg + 1, IPC_CREAT | 0600);
	printf("shmget: %s\n", id >= 0 ? "ok" : ename(errno));
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	printf("segsz %zu, mode %o, cpid is me %d, nattch %d, owner is me %d\n", ds.shm_segsz,
	       ds.shm_perm.mode, ds.shm_cpid == getpid(), (int)ds.shm_nattch, ds.shm_perm.uid == geteuid());
	char *p = shmat(id, NULL, 0);
	printf("shmat: %s, nattch %d\n", p == (void *)-1 ? ename(errno) : "ok", nattch(id));
	strcpy(p, "parent");
	strcpy(p + 3 * pg, "last");
	pid_t c = fork();
	if (c == 0) {
		printf("child sees \"%s\" \"%s\", nattch %d\n", p, p + 3 * pg, nattch(id));
		strcpy(p, "child wrote");
		shmdt(p);
		printf("child after shmdt: nattch %d\n", nattch(id));
		exit(0);
	}
	waitpid(c, NULL, 0);
	printf("parent sees \"%s\", nattch %d\n", p, nattch(id));
	char *q = shmat(id, NULL, SHM_RDONLY);
	printf("second attach read-only: \"%s\", nattch %d\n", q, nattch(id));
	signal(SIGSEGV, segv);
	int sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		q[0] = 'x';
		printf("write to SHM_RDONLY: no fault\n");
	} else {
		printf("write to SHM_RDONLY: signal %s\n", sigabbrev_np(sig));
	}
	signal(SIGSEGV, SIG_DFL);
	TRY("shmdt(not attached)", shmdt(p + pg));
	TRY("shmget(IPC_PRIVATE, 0)", shmget(IPC_PRIVATE, 0, 0600));
	TRY("shmat(bad id)", (long)shmat(id + 1000000, NULL, 0));
	TRY("shmat(unaligned, no SHM_RND)", (long)shmat(id, p + 1, 0));
	TRY("shmctl(IPC_RMID) while attached", shmctl(id, IPC_RMID, NULL));
	shmctl(id, IPC_STAT, &ds);
	printf("after IPC_RMID: mode %o (SHM_DEST %d), key %d, nattch %d\n", ds.shm_perm.mode,
	       !!(ds.shm_perm.mode & SHM_DEST), ds.shm_perm.__key, (int)ds.shm_nattch);
	printf("still mapped: \"%s\"\n", p);
	TRY("shmdt(first)", shmdt(p));
	TRY("shmdt(second)", shmdt(q));
	TRY("shmctl(IPC_STAT) after last detach", shmctl(id, IPC_STAT, &ds));
	TRY("shmget(unknown key)", shmget(0x57ef7, pg, 0600));
	int k = shmget(0x57ef7, pg, IPC_CREAT | 0600);
	TRY("shmget(key, IPC_CREAT)", k);
	TRY("shmget(key, IPC_CREAT|IPC_EXCL)", shmget(0x57ef7, pg, IPC_CREAT | IPC_EXCL | 0600));
	TRY("shmget(key, bigger)", shmget(0x57ef7, 2 * pg, 0600));
	printf("shmget(key) again is the same: %d\n", shmget(0x57ef7, 0, 0600) == k);
	TRY("shmctl(IPC_RMID)", shmctl(k, IPC_RMID, NULL));
	TRY("shmctl(bad command)", shmctl(k, 99, &ds));
}

static void sem(void)
{
	int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	printf("semget: %s\n", id >= 0 ? "ok" : ename(errno));
	unsigned short init[3] = { 1, 0, 5 }, out[3];
	TRY("SETALL", semctl(id, 0, SETALL, (union semun){ .array = init }));
	semctl(id, 0, GETALL, (union semun){ .array = out });
	printf("GETALL %d %d %d\n", out[0], out[1], out[2]);
	struct sembuf both[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	TRY("semop(all or nothing, NOWAIT)", semop(id, both, 2));
	printf("sem0 still %d\n", semctl(id, 0, GETVAL));
	struct sembuf take = { 2, -5, 0 };
	TRY("semop(take 5)", semop(id, &take, 1));
	printf("GETPID is me %d\n", semctl(id, 2, GETPID) == getpid());
	struct timespec ts = { 0, 50000000 };
	struct sembuf wait1 = { 1, -1, 0 };
	TRY("semtimedop(timeout)", semtimedop(id, &wait1, 1, &ts));
	struct sembuf big = { 2, 32767, 0 }, over = { 2, 1, 0 };
	TRY("semop(+32767)", semop(id, &big, 1));
	TRY("semop(past SEMVMX)", semop(id, &over, 1));
	struct sembuf bad = { 3, 1, 0 };
	TRY("semop(sem 3 of 3)", semop(id, &bad, 1));
	TRY("SETVAL(-1)", semctl(id, 0, SETVAL, (union semun){ .val = -1 }));
	TRY("GETVAL(sem 7)", semctl(id, 7, GETVAL));
	pid_t c = fork();
	if (c == 0) {
		// Wait until the parent blocks (GETNCNT says so), then post.
		while (semctl(id, 1, GETNCNT) != 1)
			usleep(1000);
		printf("child: GETNCNT(1) = 1, posting\n");
		struct sembuf post = { 1, 1, 0 };
		semop(id, &post, 1);
		exit(0);
	}
	TRY("semop(wait for the child)", semop(id, &wait1, 1));
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		struct sembuf u = { 0, -1, SEM_UNDO };
		semop(id, &u, 1);
		printf("child took sem0 with SEM_UNDO: %d\n", semctl(id, 0, GETVAL));
		exit(0);
	}
	waitpid(c, NULL, 0);
	printf("after the child exits, sem0 = %d\n", semctl(id, 0, GETVAL));
	struct semid_ds ds;
	semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("IPC_STAT: nsems %lu, mode %o\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode);
	c = fork();
	if (c == 0) {
		struct sembuf w = { 1, -1, 0 };
		errno = 0;
		int r = semop(id, &w, 1);
		printf("child blocked in semop: %d %s\n", r, ename(errno));
		exit(0);
	}
	while (semctl(id, 1, GETNCNT) != 1)
		usleep(1000);
	errno = 0;
	int r = semctl(id, 0, IPC_RMID);
	int e = errno;
	waitpid(c, NULL, 0);
	printf("semctl(IPC_RMID) = %d %s\n", r, ename(e));
	TRY("semget(nsems 0, IPC_PRIVATE)", semget(IPC_PRIVATE, 0, 0600));
}

struct msg { long type; char text[32]; };

static void msg(void)
{
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	printf("msgget: %s\n", id >= 0 ? "ok" : ename(errno));
	struct msg m;
	long types[] = { 5, 2, 7, 2, 1 };
	for (int i = 0; i < 5; i++) {
		m.type = types[i];
		snprintf(m.text, sizeof m.text, "msg%d-type%ld", i, types[i]);
		msgsnd(id, &m, strlen(m.text) + 1, 0);
	}
	struct msqid_ds ds;
	msgctl(id, IPC_STAT, &ds);
	printf("qnum %lu, cbytes %lu, qbytes %lu, lspid is me %d\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_lspid == getpid());
	struct { long t; int n; } rcv[] = { { 2, 0 }, { -3, 0 }, { 0, 0 }, { 2, MSG_EXCEPT } };
	for (int i = 0; i < 4; i++) {
		errno = 0;
		ssize_t n = msgrcv(id, &m, sizeof m.text, rcv[i].t, rcv[i].n | IPC_NOWAIT);
		printf("msgrcv(type %ld%s) = %zd %s\n", rcv[i].t, rcv[i].n ? ", MSG_EXCEPT" : "", n, n < 0 ? ename(errno) : m.text);
	}
	TRY("msgrcv(too small)", msgrcv(id, &m, 3, 0, IPC_NOWAIT));
	errno = 0;
	ssize_t n = msgrcv(id, &m, 3, 0, IPC_NOWAIT | MSG_NOERROR);
	printf("msgrcv(MSG_NOERROR) = %zd \"%.3s\"\n", n, m.text);
	TRY("msgrcv(empty, NOWAIT)", msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT));
	m.type = 0;
	TRY("msgsnd(type 0)", msgsnd(id, &m, 4, 0));
	static struct { long type; char text[9000]; } huge = { 1, "" };
	TRY("msgsnd(size > MSGMAX)", msgsnd(id, &huge, 9000, 0));
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		struct msg r = { 9, "from the child" };
		msgsnd(id, &r, sizeof r.text, 0);
		exit(0);
	}
	n = msgrcv(id, &m, sizeof m.text, 9, 0);
	printf("blocking msgrcv = %zd \"%s\"\n", n, m.text);
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		struct msg r;
		errno = 0;
		ssize_t k = msgrcv(id, &r, sizeof r.text, 0, 0);
		printf("child blocked in msgrcv: %zd %s\n", k, ename(errno));
		exit(0);
	}
	usleep(20000);
	errno = 0;
	int r = msgctl(id, IPC_RMID, NULL);
	int e = errno;
	waitpid(c, NULL, 0);
	printf("msgctl(IPC_RMID) = %d %s\n", r, ename(e));
	TRY("msgctl(IPC_STAT) after IPC_RMID", msgctl(id, IPC_STAT, &ds));
}

static void perms(void)
{
	// Objects made as root with mode 0600, then used by an unprivileged user.
	int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	pid_t c = fork();
	if (c == 0) {
		setuid(65534);
		struct shmid_ds sds;
		struct msqid_ds mds;
		TRY("user: shmctl(IPC_STAT)", shmctl(shmid, IPC_STAT, &sds));
		TRY("user: shmat", (long)shmat(shmid, NULL, 0));
		TRY("user: shmctl(IPC_RMID)", shmctl(shmid, IPC_RMID, NULL));
		TRY("user: semctl(GETVAL)", semctl(semid, 0, GETVAL));
		TRY("user: semctl(IPC_RMID)", semctl(semid, 0, IPC_RMID));
		TRY("user: msgctl(IPC_STAT)", msgctl(msqid, IPC_STAT, &mds));
		TRY("user: msgctl(IPC_RMID)", msgctl(msqid, IPC_RMID, NULL));
		exit(0);
	}
	waitpid(c, NULL, 0);
	shmctl(shmid, IPC_RMID, NULL);
	semctl(semid, 0, IPC_RMID);
	msgctl(msqid, IPC_RMID, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	shm();
	sem();
	msg();
	if (geteuid() == 0)
		perms();
	return 0;
}
