/* execve (kernel/exec/exec.c). */
#pragma once

/* Exec from kernel strings in the calling process (which must have a
 * user frame set up): how PID 1 starts. 0 or -errno. */
int exec_kernel(const char *path, const char *const *argv, const char *const *envp);
