# Strings: building, splitting, joining, replacing, hashing into a dict.
words = {}
for i in range(20000):
    s = "%d-%s" % (i, "abc" * (i % 7))
    t = "/".join(s.split("-")).replace("b", "B").upper()
    words[t] = words.get(t, 0) + len(t)
print("strings", len(words), sum(words.values()))
