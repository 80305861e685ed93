// Running a program as a child process: a string on its stdin, its stdout and stderr
// collected, a deadline from start to exit. It knows nothing of what the program says:
// the caller decides what an exit status, a timeout or too much output means.
// POSIX only (fork, pipes, poll).
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qutibench/error.hpp"

namespace qutibench::detail {

/// An owned file descriptor.
struct owned_fd {
  int value = -1;
  owned_fd() = default;
  owned_fd(const owned_fd&) = delete;
  owned_fd& operator=(const owned_fd&) = delete;
  ~owned_fd() { reset(); }
  void reset() {
    if (value >= 0) ::close(value);
    value = -1;
  }
};

/// The child process, leader of its own process group so that whatever it starts can be
/// stopped with it. The group is killed (SIGKILL) when the run ends, however it ends,
/// and the child reaped if still running when this goes out of scope: no exit path
/// leaves a runaway process, a helper holding our pipes, or a zombie behind.
struct child_process {
  pid_t pid = -1;    ///< until reaped
  pid_t group = -1;  ///< the child's process group, = its pid
  child_process() = default;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { kill_and_reap(); }
  /// Kills every process left in the group (ESRCH when none is: nothing to do).
  void kill_group() const {
    if (group > 0) ::kill(-group, SIGKILL);
  }
  void kill_and_reap() {
    kill_group();
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);  // in case it had not reached setpgid yet
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
  }
};

/// Blocks SIGPIPE in the calling thread while writing to the child's stdin. A child that
/// exits without reading its input would otherwise kill the whole process with
/// SIGPIPE; setting SIG_IGN would change every thread's disposition and race with
/// them. Blocked, the write fails with EPIPE and the thread-directed SIGPIPE stays
/// pending; it is consumed before the old mask returns. If SIGPIPE was already pending,
/// it is blocked, and ours merges with it: nothing is done.
struct sigpipe_blocker {
  sigset_t old_mask{};
  bool active = false;
  sigpipe_blocker() {
    sigset_t pending, pipe_only;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) return;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    active = pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask) == 0;
  }
  sigpipe_blocker(const sigpipe_blocker&) = delete;
  sigpipe_blocker& operator=(const sigpipe_blocker&) = delete;
  ~sigpipe_blocker() {
    if (!active) return;
    sigset_t pending, pipe_only;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      int sig = 0;
      sigwait(&pipe_only, &sig);  // returns at once: the signal is pending
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  }
};

/// How a run ended and what the program printed.
struct process_result {
  enum class ending { exited, signaled, timed_out, output_overflow };
  ending how = ending::exited;
  int code = 0;  ///< the exit status (exited) or the signal (signaled)
  std::string out, err;
};

/// What a program said on stderr, for messages: its last 5 non-blank lines joined with
/// " | " (one-line messages), at most 1000 bytes, or "no stderr output".
inline std::string stderr_tail(const std::string& err) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < err.size();) {
    const std::size_t end = std::min(err.find('\n', start), err.size());
    std::string line = err.substr(start, end - start);
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  if (lines.empty()) return "no stderr output";
  std::string out;
  for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return "stderr ends: " + (out.size() > 1000 ? "..." + out.substr(out.size() - 1000) : out);
}

/// One run of a program. What keeps it from running (no pipe, no fork, no such program,
/// a failing poll or waitpid) is a measure_error 603 naming `where`.
class process_run {
 public:
  using clock = std::chrono::steady_clock;

  process_run(const std::vector<std::string>& argv, std::string where) : where_(std::move(where)) {
    make_pipe(in_r_, in_w_);
    make_pipe(out_r_, out_w_);
    make_pipe(err_r_, err_w_);
    make_pipe(exec_r_, exec_w_);  // carries errno if execvp fails; closes on success (CLOEXEC)
    spawn(argv);
  }

  /// Feeds `input`, collects the output and waits for the exit. Past `deadline` the
  /// program is killed; more than `max_stdout` bytes on stdout end the run too.
  process_result finish(const std::string& input, clock::time_point deadline, std::size_t max_stdout) {
    process_result r;
    if (exchange(input, deadline, max_stdout, r) && proc_.pid > 0) wait_exit(deadline, r);
    proc_.kill_group();  // helpers it left behind
    return r;
  }

 private:
  std::string where_;
  owned_fd in_r_, in_w_, out_r_, out_w_, err_r_, err_w_, exec_r_, exec_w_;
  child_process proc_;  // after the pipes: killed before they close

  [[noreturn]] void fail_errno(const std::string& what) const {
    throw measure_error(error_id::command_failed, where_, what + ": " + std::generic_category().message(errno));
  }

  /// A pipe whose ends are close-on-exec from the start (pipe2: another thread's fork
  /// cannot leak them into a program that would then hold our pipes open), so only the
  /// dup2'd copies reach the child. Ends are moved to 3 or above, so that dup2 onto 0,
  /// 1 and 2 in the child never clobbers one (a host started with stdin closed).
  void make_pipe(owned_fd& read_end, owned_fd& write_end) const {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) fail_errno("cannot create a pipe");
    read_end.value = ends[0];
    write_end.value = ends[1];
    for (owned_fd* end : {&read_end, &write_end}) {
      if (end->value >= 3) continue;
      const int moved = ::fcntl(end->value, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) fail_errno("cannot create a pipe");
      end->reset();
      end->value = moved;
    }
  }

  void spawn(const std::vector<std::string>& argv) {
    // Built before fork: between fork and exec the child may only call
    // async-signal-safe functions, and allocating is not one.
    std::vector<std::string> args = argv;
    std::vector<char*> pointers;
    for (std::string& a : args) pointers.push_back(a.data());
    pointers.push_back(nullptr);

    proc_.pid = ::fork();
    if (proc_.pid < 0) fail_errno("cannot fork");
    if (proc_.pid == 0) {
      if (::setpgid(0, 0) == 0 && ::dup2(in_r_.value, 0) >= 0 && ::dup2(out_w_.value, 1) >= 0 && ::dup2(err_w_.value, 2) >= 0)
        ::execvp(pointers[0], pointers.data());
      const int err = errno;
      [[maybe_unused]] const ssize_t reported = ::write(exec_w_.value, &err, sizeof err);  // nothing more to do if it fails
      ::_exit(127);
    }
    // Also here, so that the group exists before either side goes on (EACCES once the
    // child has exec'd means it already did it itself).
    ::setpgid(proc_.pid, proc_.pid);
    proc_.group = proc_.pid;
    in_r_.reset();
    out_w_.reset();
    err_w_.reset();
    exec_w_.reset();

    int exec_errno = 0;
    ssize_t got = 0;
    while ((got = ::read(exec_r_.value, &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    if (got > 0) {
      proc_.kill_and_reap();
      throw measure_error(error_id::command_failed, where_,
                          "cannot run '" + argv.front() + "': " + std::generic_category().message(exec_errno));
    }
  }

  /// Ends the run early: the program is killed and `r` says why.
  bool stop(process_result& r, process_result::ending why) {
    proc_.kill_and_reap();
    r.how = why;
    return false;
  }

  /// Serves stdin, stdout and stderr in one poll loop until the program has exited and
  /// its output is read, so that a program that writes before it reads, or fills stderr,
  /// cannot deadlock us. The exit, not the end of the pipes, ends the run: a helper that
  /// keeps stdout open is killed with the group, and what is in the pipes by then is
  /// read. False if the run was stopped instead.
  bool exchange(const std::string& input, clock::time_point deadline, std::size_t max_stdout, process_result& r) {
    constexpr std::size_t max_stderr = std::size_t{1} << 16;  // only its last lines are reported
    // How long to wait for the exit between reads: the pipes' end is seen at once, an
    // exit while a helper holds them within this.
    constexpr long long exit_check_ms = 20;
    // Non-blocking, so that an input larger than the pipe buffer is written piecewise as
    // the child reads it instead of blocking the loop.
    ::fcntl(in_w_.value, F_SETFL, ::fcntl(in_w_.value, F_GETFL) | O_NONBLOCK);
    std::size_t written = 0;
    const sigpipe_blocker no_sigpipe;
    clock::time_point read_until = deadline;
    while (out_r_.value >= 0 || err_r_.value >= 0) {
      if (proc_.pid > 0 && reaped(r)) {
        proc_.kill_group();  // the rest of the output follows, then EOF
        // A writer that left the group (setsid) may hold the pipes for good.
        read_until = std::min(deadline, clock::now() + std::chrono::seconds(1));
      }
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(read_until - clock::now()).count();
      if (left <= 0) {
        if (proc_.pid > 0) return stop(r, process_result::ending::timed_out);
        break;  // exited in time: keep what came
      }
      pollfd fds[3] = {{in_w_.value, POLLOUT, 0}, {out_r_.value, POLLIN, 0}, {err_r_.value, POLLIN, 0}};  // poll skips fd -1
      const int ready = ::poll(fds, 3, static_cast<int>(std::min<long long>(left, exit_check_ms)));
      if (ready < 0 && errno != EINTR) fail_errno("poll failed");
      if (ready <= 0) continue;
      if (fds[0].revents != 0) {
        const ssize_t n = ::write(in_w_.value, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        // EPIPE: the program does not read its input; its output will tell whether it
        // needed it.
        if (written == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) in_w_.reset();
      }
      drain(out_r_, fds[1].revents, r.out);
      drain(err_r_, fds[2].revents, r.err);
      if (r.err.size() > 2 * max_stderr) r.err.erase(0, r.err.size() - max_stderr);
      if (r.out.size() > max_stdout) return stop(r, process_result::ending::output_overflow);
    }
    in_w_.reset();
    return true;
  }

  static void drain(owned_fd& from, short revents, std::string& into) {
    if (revents == 0) return;
    char buf[8192];
    const ssize_t n = ::read(from.value, buf, sizeof buf);
    if (n > 0) into.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || (errno != EAGAIN && errno != EINTR)) from.reset();
  }

  /// Whether the program has exited; if so it is reaped and `r` says how.
  bool reaped(process_result& r) {
    int status = 0;
    const pid_t got = ::waitpid(proc_.pid, &status, WNOHANG);
    if (got < 0 && errno != EINTR) fail_errno("waitpid failed");
    if (got != proc_.pid) return false;
    proc_.pid = -1;
    r.how = WIFSIGNALED(status) ? process_result::ending::signaled : process_result::ending::exited;
    r.code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    return true;
  }

  /// Both outputs closed; the exit may still lag behind (or never come).
  void wait_exit(clock::time_point deadline, process_result& r) {
    while (!reaped(r)) {
      if (clock::now() >= deadline) {
        stop(r, process_result::ending::timed_out);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
};

/// Runs `argv` (looked up in PATH) with `input` on its stdin, for at most `timeout_s`
/// seconds from start to exit.
inline process_result run_process(const std::vector<std::string>& argv, const std::string& input, double timeout_s,
                                  std::size_t max_stdout, const std::string& where) {
  using clock = process_run::clock;
  // Capped so the deadline arithmetic cannot overflow; a timeout of years is no timeout.
  const auto limit = std::chrono::duration<double>(std::min(timeout_s, 1e8));
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(limit);
  process_run run(argv, where);
  return run.finish(input, deadline, max_stdout);
}

}  // namespace qutibench::detail
