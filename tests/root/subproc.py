# subprocess with /bin/sh: a pipeline, an exit status, and a shell's output captured.
import subprocess

out = subprocess.run(["/bin/sh", "-c", "echo one; echo two | tr a-z A-Z; exit 3"],
                     capture_output=True, text=True)
print(repr(out.stdout), out.returncode)
print(subprocess.check_output("printf 'b\\na\\nc\\n' | sort | head -2", shell=True, text=True), end="")
try:
    subprocess.run(["/no/such/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
