#include "metabosim/processes/processes.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>

#include <fmt/format.h>

#include "metabosim/processes/installation.hpp"
#include "metabosim/processes/python.hpp"

extern char** environ;

namespace metabosim::processes {

namespace fs = std::filesystem;

namespace {

// Splits what a program writes into lines ('\n' or '\r': progress that rewrites its line on a
// terminal comes in lines too) and passes on the non-empty ones.
class LineSplitter {
public:
    explicit LineSplitter(const LineHandler& on_line) : on_line_(on_line) {}
    void add(const char* data, std::size_t size) {
        for (std::size_t k = 0; k < size; ++k) {
            if (data[k] == '\n' || data[k] == '\r')
                flush();
            else
                line_ += data[k];
        }
    }
    void flush() {
        if (!line_.empty() && on_line_) on_line_(line_);
        line_.clear();
    }

private:
    const LineHandler& on_line_;
    std::string line_;
};

}  // namespace

int run_process(const std::vector<std::string>& argv, const fs::path& log, const LineHandler& on_line) {
    std::ofstream out;
    if (!log.empty()) {
        out.open(log, std::ios::binary | std::ios::trunc);
        if (!out) return -1;
    }
    // Close-on-exec, so that programs started meanwhile by other threads do not hold the pipe
    // open; the child's copies on stdout and stderr are not.
    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0) return -1;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDERR_FILENO);
    pid_t pid;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    if (spawned != 0) {
        close(pipe_ends[0]);
        return -1;
    }
    LineSplitter lines(on_line);
    std::array<char, 4096> buffer;
    for (;;) {
        const ssize_t n = read(pipe_ends[0], buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out.is_open()) out.write(buffer.data(), n).flush();
        lines.add(buffer.data(), static_cast<std::size_t>(n));
    }
    lines.flush();
    close(pipe_ends[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail_of(const fs::path& log, std::size_t lines) {
    std::ifstream in(log);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line);
    std::string out;
    for (std::size_t k = all.size() > lines ? all.size() - lines : 0; k < all.size(); ++k) out += "    " + all[k] + "\n";
    return out;
}

std::string ScriptRun::failure() const {
    if (!no_python.empty()) return no_python;
    return fmt::format("{} (run by {}) failed{}; its log, {}, ends:\n{}", script.string(), python.string(),
                       status < 0 ? "" : fmt::format(" with exit status {}", status), log.string(), tail_of(log));
}

ScriptRun run_tool(const std::string& name, const std::vector<std::string>& args, const fs::path& log) {
    ScriptRun run;
    run.script = find_tool(name);
    run.log = log;
    const PythonSearch search = find_python(report_modules());
    if (!search.found) {
        run.no_python = search.note;
        std::ofstream(log) << search.note << '\n';
        return run;
    }
    run.python = *search.found;
    std::vector<std::string> argv{run.python.string(), run.script.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    run.status = run_process(argv, log);
    return run;
}

}  // namespace metabosim::processes
