#include <git2.h>

/* Swift imports neither C variadics nor function-like macros: wrap the few we need. */
static inline int cgit2_set_owner_validation(int on) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, on);
}
static inline int cgit2_index_entry_stage(const git_index_entry *e) {
    return GIT_INDEX_ENTRY_STAGE(e);
}
