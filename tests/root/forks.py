# os.fork, a pipe and waitpid; a child that segfaults; a signal handled in Python.
import os, signal

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"hello from child, parent %d\n" % os.getppid())
    os._exit(7)
os.close(w)
data = os.read(r, 100).decode()
_, status = os.waitpid(pid, 0)
print(data.strip() == "hello from child, parent %d" % os.getpid(), "exit", os.WEXITSTATUS(status))

pid = os.fork()
if pid == 0:
    import ctypes
    ctypes.string_at(0)  # a load from address 0
    os._exit(0)
_, status = os.waitpid(pid, 0)
print("child killed by", signal.Signals(os.WTERMSIG(status)).name)

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print("handled", got == [signal.SIGUSR1])
