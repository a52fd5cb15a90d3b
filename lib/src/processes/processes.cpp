#include "metabosim/processes/processes.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

extern char** environ;

namespace metabosim::processes {

namespace fs = std::filesystem;

int run_process(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid;
    const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
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

fs::path find_tool(const std::string& name) {
    std::error_code ignored;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ignored);
    const fs::path installed = exe.parent_path().parent_path() / "share" / "metabosim" / name;
    if (fs::exists(installed)) return installed;
    return fs::path(METABOSIM_SOURCE_DIR) / "tools" / name;
}

ScriptRun run_tool(const std::string& name, const std::vector<std::string>& args, const fs::path& log) {
    ScriptRun run{.script = find_tool(name), .log = log, .status = -1};
    std::vector<std::string> argv{python, run.script.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    run.status = run_process(argv, log);
    return run;
}

}  // namespace metabosim::processes
