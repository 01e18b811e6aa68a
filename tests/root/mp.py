# multiprocessing with fork: a pool of two workers, a queue, a process's exit code.
import multiprocessing as mp


def sq(x):
    return x * x


if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(2) as p:
        print(p.map(sq, range(8)))
    q = mp.Queue()
    pr = mp.Process(target=q.put, args=("via queue",))
    pr.start()
    print(q.get())
    pr.join()
    print("exitcode", pr.exitcode)
