// The revision of roundlab this binary was built from, recorded in every machine-readable output:
// 12 hex digits of the git commit, "-dirty" when tracked files differed from it, "unknown" outside git.
// Generated at build time (cmake/write_git_revision.cmake), so incremental builds stay truthful.
#pragma once

namespace roundlab {

const char* git_revision();

}  // namespace roundlab
