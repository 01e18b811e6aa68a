# Four threads add under a lock: no update is lost.
import threading
total = 0
lock = threading.Lock()
def work(n):
    global total
    for _ in range(n):
        with lock:
            total += 1
ts = [threading.Thread(target=work, args=(2000,)) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("total", total, "threads", len(ts))
