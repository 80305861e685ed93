#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "qutibench/error.hpp"

namespace qutibench::cli {

namespace {
/// Writes all of `text` to `fd`, resuming short and interrupted writes: 0, or the errno.
int write_all(int fd, std::string_view text) {
  for (std::size_t done = 0; done < text.size();) {
    const ::ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}
}  // namespace

void write_file(const std::string& path, std::string_view text) {
  auto fail = [&](int err) {
    throw spec_error(error_id::write_failed, path, std::string("cannot write: ") + std::strerror(err));
  };
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or pipe (/dev/stdout) is written in place: a rename would replace it, and
    // a directory fails here with its own reason.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(errno);
    int err = write_all(fd, text);
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) fail(err);
    return;
  }
  // Through a symbolic link the file it names is replaced, not the link.
  std::string target = path;
  if (exists)
    if (char* real = ::realpath(path.c_str(), nullptr)) {
      target = real;
      std::free(real);
    }
  // O_EXCL with the process id: two runs writing one path never share a temporary; mode
  // 0666 lets the umask decide, as for any new file.
  const std::string tmp = target + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(errno);
  int err = write_all(fd, text);
  // A full disk or a network file system may report a failure only at the sync or close.
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), target.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    fail(err);
  }
}

}  // namespace qutibench::cli
