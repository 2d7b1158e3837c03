#include "core/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/i18n.h"

namespace convscope {

std::optional<std::string> read_file(const std::string& path, std::string& error, size_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = tr("cannot open {0}: {1}", path, std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        error = tr("cannot read {0}: it is a directory", path);
        return std::nullopt;
    }
    std::string data;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = tr("cannot read {0}: {1}", path, std::strerror(errno));
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        if (data.size() + static_cast<size_t>(n) > max_bytes) {
            error = max_bytes >= (size_t{1} << 20) && max_bytes % (size_t{1} << 20) == 0
                        ? tr("cannot read {0}: larger than {1} MiB", path, max_bytes >> 20)
                        : tr("cannot read {0}: larger than {1} bytes", path, max_bytes);
            ::close(fd);
            return std::nullopt;
        }
        data.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return data;
}

bool write_file_atomic(const std::string& path, std::string_view data, std::string& error) {
    // The temporary file lives in the target's directory so that rename() stays on one filesystem.
    std::vector<char> tmpl(path.begin(), path.end());
    const std::string suffix = ".tmp-XXXXXX";
    tmpl.insert(tmpl.end(), suffix.begin(), suffix.end());
    tmpl.push_back('\0');
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        error = tr("cannot write {0}: {1}", path, std::strerror(errno));
        return false;
    }
    const std::string tmp(tmpl.data());
    auto fail = [&](bool flushing) {
        const char* why = std::strerror(errno);
        error = flushing ? tr("cannot flush {0}: {1}", path, why) : tr("cannot write {0}: {1}", path, why);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    };
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(false);
        }
        done += static_cast<size_t>(n);
    }
    // mkstemp creates the file 0600; a saved table should be as readable as any file the user makes.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    if (::fsync(fd) != 0) return fail(true);
    if (::close(fd) != 0) {
        error = tr("cannot write {0}: {1}", path, std::strerror(errno));
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        error = tr("cannot replace {0}: {1}", path, std::strerror(errno));
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace convscope
