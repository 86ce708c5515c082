"""Runs a command in a real pseudo-terminal, for end-to-end tests of interactive commands.

    python run_in_pty.py [--rows N] [--cols N] -- COMMAND [ARGS...]

The command gets a pty as its controlling terminal (stdin, stdout and stderr are TTYs, of the
given size, so Ctrl-C typed as "\\x03" becomes SIGINT when the program is not in raw mode). This
process relays its own stdin to the terminal's input and the terminal's output to its stdout,
unbuffered, and exits with the command's exit code (128 + N when it was killed by signal N).
Only the standard library: the project has no node-pty.
"""
import errno
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main(argv):
    rows, cols = 40, 120
    while argv and argv[0] != "--":
        flag, value = argv[0], argv[1]
        if flag == "--rows":
            rows = int(value)
        elif flag == "--cols":
            cols = int(value)
        else:
            sys.stderr.write(f"run_in_pty.py: unknown flag {flag}\n")
            return 2
        argv = argv[2:]
    command = argv[1:]
    if not command:
        sys.stderr.write("usage: run_in_pty.py [--rows N] [--cols N] -- COMMAND [ARGS...]\n")
        return 2

    pid, master = pty.fork()
    if pid == 0:
        # The child: its stdin/stdout/stderr are the terminal; set its size, then run the command.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            os.execvp(command[0], command)
        except OSError as err:
            sys.stderr.write(f"run_in_pty.py: cannot run {command[0]}: {err}\n")
            os._exit(127)

    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    reading_stdin = True
    while True:
        watch = [master] + ([stdin] if reading_stdin else [])
        try:
            ready, _, _ = select.select(watch, [], [])
        except InterruptedError:
            continue
        if stdin in ready:
            data = os.read(stdin, 4096)
            if data:
                os.write(master, data)
            else:
                reading_stdin = False  # keep the terminal open: closing it would hang the command up
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as err:
                if err.errno == errno.EIO:  # the command closed the terminal (it exited)
                    break
                raise
            if not data:
                break
            os.write(stdout, data)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
