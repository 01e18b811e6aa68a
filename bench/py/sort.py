# Sorting and comparing: a linear congruential sequence, sorted by value and by key.
seed = 12345
xs = []
for _ in range(50000):
    seed = (seed * 1103515245 + 12345) % 2147483648
    xs.append(seed)
a = sorted(xs)
b = sorted(xs, key=lambda v: (v % 1000, v))
print("sort", a[0], a[-1], b[0], b[-1])
