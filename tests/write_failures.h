// Saving where it cannot succeed, for every path that writes a file: a directory the program may not
// write to, and a full disk. Each failing save must say which file and why, leave the file that was
// there byte for byte, and leave no temporary file beside it.
//
// Both faults are made in a forked child, so nothing the test process depends on changes:
//   - read-only directory: the directory is made 0555. Root ignores directory permissions, so as root
//     the child first becomes uid/gid 65534 (nobody); the directory lives under /tmp, reachable by it.
//   - full disk: the child may not grow a file past a few bytes (RLIMIT_FSIZE), with SIGXFSZ ignored,
//     so that write() fails with EFBIG ("File too large") as it fails with ENOSPC on a full disk.
// The child reports through a pipe and always leaves with _exit, never returning into doctest.
#pragma once

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

namespace convscope::test {

enum class Fault { ReadOnlyDir, FullDisk };
constexpr Fault kFaults[] = {Fault::ReadOnlyDir, Fault::FullDisk};

inline const char* fault_name(Fault f) { return f == Fault::ReadOnlyDir ? "read-only directory" : "full disk"; }

// The reason each fault must produce, as strerror words it.
inline const char* fault_reason(Fault f) { return f == Fault::ReadOnlyDir ? "Permission denied" : "File too large"; }

// What a save attempt reported: whether it claimed success, and its message.
struct SaveOutcome {
    bool ok = false;
    std::string error;
};

// A TempDir under /tmp (not $TMPDIR, which uid 65534 may not be able to reach), made writable again
// before it is removed.
struct FaultDir : TempDir {
    FaultDir() : TempDir("/tmp") { ::chmod(path.c_str(), 0755); }
    ~FaultDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
        for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec))
            if (e.is_directory(ec))
                std::filesystem::permissions(e.path(), std::filesystem::perms::owner_all,
                                             std::filesystem::perm_options::add, ec);
    }
    // `name` inside the directory, written with `bytes` unless that is empty, readable by uid 65534.
    std::string file(const std::string& name, const std::string& bytes = {}) const {
        std::string p = TempDir::file(name, bytes);
        ::chmod(p.c_str(), 0644);
        return p;
    }
};

// Every file in a directory (not recursive) with its bytes: what a failed save must leave as it was.
using DirSnapshot = std::map<std::string, std::string>;

inline DirSnapshot snapshot(const std::filesystem::path& dir) {
    DirSnapshot s;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        s[e.path().filename().string()] = {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    return s;
}

namespace detail {

inline void write_all(int fd, const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

inline std::string read_all(int fd) {
    std::string s;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return s;
        s.append(buf, static_cast<size_t>(n));
    }
}

// In the child: the fault's conditions. False when they cannot be set up (reported as such).
inline bool enter_fault(Fault f, rlim_t file_limit) {
    if (f == Fault::ReadOnlyDir) {
        if (::geteuid() != 0) return true;  // the 0555 directory is enough
        // Group first: once the user is no longer root it may not change its group.
        return ::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0 && ::geteuid() == 65534;
    }
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit small{file_limit, file_limit};
    return ::setrlimit(RLIMIT_FSIZE, &small) == 0;
}

// Makes `dir` read-only (for ReadOnlyDir) for the lifetime of the object.
struct ReadOnly {
    std::string dir;
    ReadOnly(Fault f, const std::filesystem::path& d) {
        if (f == Fault::ReadOnlyDir) {
            dir = d.string();
            ::chmod(dir.c_str(), 0555);
        }
    }
    ~ReadOnly() {
        if (!dir.empty()) ::chmod(dir.c_str(), 0755);
    }
};

}  // namespace detail

// How large a file may grow on the "full" disk: smaller than anything a save writes.
constexpr rlim_t kFullDiskBytes = 16;

// Whether the program can be started under the file-size limit that stands in for a full disk once it
// runs a forward pass. LLVM's OpenMP runtime (what a clang build links) writes a 1 KiB registration
// file in /dev/shm when the first parallel work starts and aborts when it cannot; a process-wide
// RLIMIT_FSIZE forbids that, where a real full disk (another filesystem) would not. GCC's runtime
// writes nothing. Where this is false, those runs are skipped; the in-process faults still run.
constexpr bool kForwardPassUnderFileSizeLimit =
#if defined(__clang__) && defined(_OPENMP)
    false;
#else
    true;
#endif

// Runs `save` in a forked child under `fault` (see the top of this file), with `dir` read-only for
// ReadOnlyDir. `save` must not use doctest's macros: it runs in the child.
inline SaveOutcome save_under_fault(Fault fault, const std::filesystem::path& dir,
                                    const std::function<SaveOutcome()>& save, rlim_t file_limit = kFullDiskBytes) {
    detail::ReadOnly ro(fault, dir);
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        int code = 0;
        try {
            if (!detail::enter_fault(fault, file_limit)) {
                detail::write_all(fds[1], "0the child could not set up the fault");
                code = 3;
            } else {
                const SaveOutcome r = save();
                std::string report = r.ok ? "1" : "0";
                report += r.error;
                detail::write_all(fds[1], report);
            }
        } catch (const std::exception& e) {
            detail::write_all(fds[1], std::string("0exception: ") + e.what());
            code = 4;
        } catch (...) {
            code = 5;
        }
        ::_exit(code);
    }
    ::close(fds[1]);
    const std::string report = detail::read_all(fds[0]);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    INFO("child report: " << report);
    REQUIRE_MESSAGE(WIFEXITED(status), "the child died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(!report.empty());
    return {report[0] == '1', report.substr(1)};
}

// What a command run by `run_under_fault` printed on stderr, and its exit status.
struct ChildRun {
    int code = -1;
    std::string err;
};

// Runs `argv` (argv[0] a full path) in a child under `fault`, stdout to /dev/null, stderr captured
// (through a pipe: a file would be subject to the size limit too). With `dir` read-only for ReadOnlyDir.
inline ChildRun run_under_fault(Fault fault, const std::filesystem::path& dir, const std::vector<std::string>& argv,
                                rlim_t file_limit = kFullDiskBytes) {
    detail::ReadOnly ro(fault, dir);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // Close-on-exec, so that only stderr carries the pipe into the command: a process it leaves behind
    // (an X server) holding another copy would keep the read below from ever seeing the end.
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        ::dup2(null, 1);
        ::dup2(fds[1], 2);
        if (!detail::enter_fault(fault, file_limit)) ::_exit(126);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ChildRun r;
    r.err = detail::read_all(fds[0]);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return r;
}

// The checks every refused save must pass: it did not claim success, its message names the file and
// the fault's reason, and `dir` holds exactly what it held before (no file changed, no temporary
// left), except the files named in `written`, which the command wrote before the one that failed.
inline void check_refused(Fault fault, const SaveOutcome& r, const std::string& path,
                          const std::filesystem::path& dir, const DirSnapshot& before,
                          const std::vector<std::string>& written = {}) {
    CAPTURE(fault_name(fault));
    CAPTURE(r.error);
    CHECK_FALSE(r.ok);
    CHECK(contains(r.error, path));
    CHECK(contains(r.error, fault_reason(fault)));
    DirSnapshot after = snapshot(dir);
    for (const auto& name : written) {
        CHECK_MESSAGE(after.count(name) == 1, "not written: " << name);
        after.erase(name);
    }
    DirSnapshot kept = before;
    for (const auto& name : written) kept.erase(name);
    CHECK(after.size() == kept.size());
    for (const auto& entry : after) {
        const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture one
        CAPTURE(name);
        const auto it = kept.find(name);
        REQUIRE_MESSAGE(it != kept.end(), "a file appeared: " << name);
        CHECK(entry.second == it->second);
    }
}

// A writer of the form `bool write(path, value, error)` as one that reports a SaveOutcome.
template <class Write>
auto reporting(Write write) {
    return [write](const std::string& path, const auto& value) {
        std::string error;
        const bool ok = write(path, value, error);
        return SaveOutcome{ok, error};
    };
}

// Under each fault: `name` is written with `old_value` in a fresh directory, then `new_value` is written
// over it in the faulty child. The refusal must pass check_refused, and `kept(path)` checks what the
// old file still holds.
template <class T, class Write, class Kept>
void check_overwrite_refused(const std::string& name, const T& old_value, const T& new_value, const Write& write,
                             const Kept& kept) {
    for (const Fault fault : kFaults) {
        FaultDir dir;
        const std::string path = dir.file(name);
        const SaveOutcome first = write(path, old_value);
        REQUIRE_MESSAGE(first.ok, first.error);
        const DirSnapshot before = snapshot(dir.path);
        const SaveOutcome r = save_under_fault(fault, dir.path, [&] { return write(path, new_value); });
        check_refused(fault, r, path, dir.path, before);
        kept(path);
    }
}

}  // namespace convscope::test
