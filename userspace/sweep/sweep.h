/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sweep: find running processes and loaded modules whose code has a listed
 * digest, and stop those processes. Library code: returns -errno, never prints.
 *
 * Blocking exec does nothing about a program that was already running when
 * its digest was listed. A sweep reads every process's executable mappings
 * (/proc/PID/maps lines with 'x' and a file: the executable, the loader, the
 * shared libraries, dlopen()ed code, memfds) and looks at each distinct file
 * once, keyed by fstat() of the opened file (not maps' device and inode,
 * which btrfs subvolumes share; see file.c): it asks the module for
 * the digest its cache already holds (every exec filled it), and hashes only
 * what the module does not know. Files are read through
 * /proc/PID/map_files/<range>, which reaches deleted files and files of
 * other mount namespaces (it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE),
 * else /proc/PID/exe, else /proc/PID/root/<path>. procfs is a parameter so
 * the host tests can hand in a fake tree.
 */
#ifndef KB_SWEEP_H
#define KB_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/listfile.h"

/* The fields of /proc/PID/stat a sweep uses. */
struct kb_proc_stat {
	char comm[64];			/* raw bytes; the kernel's TASK_COMM_LEN is 16 */
	char state;
	unsigned long flags;		/* PF_* */
	unsigned long long start_time;	/* clock ticks after boot: tells a reused pid apart */
};

/* PF_KTHREAD in include/linux/sched.h: kernel threads have no user space code. */
#define KB_PF_KTHREAD 0x00200000UL

/* One line of /proc/PID/maps. path points into the line, without " (deleted)". */
struct kb_map {
	unsigned long start, end;
	bool exec;			/* 'x' permission */
	dev_t dev;
	uint64_t ino;			/* 0: anonymous or special ([vdso], [stack]) */
	const char *path;
	size_t path_len;
	bool deleted;			/* the line ended in " (deleted)" */
};

/* A listed digest found in a process. */
struct kb_sweep_match {
	char *path;			/* as /proc shows it, " (deleted)" left off */
	bool deleted;
	bool exe;			/* /proc/PID/exe; else a library or other mapping */
	unsigned long start, end;	/* its first executable mapping */
	const struct kb_entry *entry;	/* in the sweep's list: digest and label */
};

enum kb_sweep_action {
	KB_SWEEP_NONE,			/* not asked to kill */
	KB_SWEEP_KILLED,		/* SIGKILL sent, and the process exited */
	KB_SWEEP_SIGNALLED,		/* SIGKILL sent, but it had not exited when we stopped waiting */
	KB_SWEEP_VANISHED,		/* exited, or its pid was reused, before the signal */
	KB_SWEEP_FAILED,		/* the signal could not be sent: action_err */
	KB_SWEEP_SPARED,		/* not signalled: the sweeping process itself, or init */
	KB_SWEEP_RELEASED,		/* stopped, then no longer ran listed code (exec'd away): continued */
};

struct kb_sweep_proc {
	pid_t pid;			/* the thread group leader: the whole process */
	uid_t uid;			/* effective */
	unsigned long long start_time;
	char comm[64];
	char *exe;			/* /proc/PID/exe without " (deleted)"; NULL if unreadable */
	bool exe_deleted;
	bool other_mntns;		/* paths are then relative to that namespace's root */
	struct kb_sweep_match *matches;
	size_t n_matches, cap_matches;
	enum kb_sweep_action action;
	int action_err;			/* positive errno for KB_SWEEP_FAILED */
};

struct kb_sweep_module {
	char *name;
	char *path;
	const struct kb_entry *entry;
};

/* Something the sweep could not look at: a process, a process's file, or a module. */
struct kb_sweep_unchecked {
	pid_t pid;			/* 0 for a module */
	char *path;			/* the file; NULL for the process as a whole or a module without a file */
	char *module;			/* the module's name, or NULL */
	int err;			/* positive errno; EFBIG: larger than max_size; ENOENT for a module: no file */
};

struct kb_sweep_stats {
	unsigned long processes;	/* processes whose mappings were read */
	unsigned long other_mntns;	/* of those, in a mount namespace other than ours */
	unsigned long kernel_threads;	/* skipped: no user space code */
	unsigned long exited;		/* skipped: gone, or zombies, before they could be read */
	unsigned long unreadable;	/* skipped: their /proc entries could not be read */
	unsigned long files;		/* distinct files hashed */
	unsigned long files_cached;	/* distinct files whose digest the module's cache gave */
	unsigned long long bytes;	/* bytes hashed */
	unsigned long files_unreadable;	/* process files that could not be read */
	unsigned long files_oversize;	/* distinct files larger than max_size, not hashed */
	unsigned long modules;		/* loaded modules looked at */
	unsigned long modules_without_file;
};

struct kb_sweep_cache;

/* kb_sweep_init() sets the inputs to their defaults; kb_sweep_free() frees the results. */
struct kb_sweep {
	const char *proc;		/* procfs: "/proc" */
	const char *moddir;		/* the modules of the running kernel: NULL for /lib/modules/<release> */
	const struct kb_list *list;	/* what to look for, sorted with kb_list_sort() */
	uint64_t max_size;		/* larger files are not hashed: the module's max_hash_size */
	pid_t self;			/* never signalled: the sweeping process (0: none) */
	/*
	 * The digest the module already knows for an open file (kb_nl_file_digest()), or
	 * NULL to hash everything. Any error means "hash it"; -EOPNOTSUPP (an older
	 * module) also stops the asking.
	 */
	int (*known_digest)(void *ctx, int fd, uint8_t digest[KB_DIGEST_LEN]);
	void *known_ctx;

	struct kb_sweep_proc *procs;	/* processes with at least one match, by pid */
	size_t n_procs, cap_procs;
	struct kb_sweep_module *mods;	/* modules with a match, in /proc/modules order */
	size_t n_mods, cap_mods;
	struct kb_sweep_unchecked *unchecked;
	size_t n_unchecked, cap_unchecked;
	struct kb_sweep_stats stats;
	struct kb_sweep_cache *cache;
};

void kb_sweep_init(struct kb_sweep *sw, const struct kb_list *list);
void kb_sweep_free(struct kb_sweep *sw);

/*
 * Look at every process in sw->proc. Processes that go away while being read,
 * kernel threads and unreadable entries are counted, not errors. Returns 0,
 * -ENOMEM, or -errno when procfs itself cannot be listed.
 */
int kb_sweep_processes(struct kb_sweep *sw);

/*
 * Look at every loaded module, finding its file with libkmod (as modinfo -n,
 * in moddir's modules.dep.bin). With proc "/proc", libkmod lists the loaded
 * modules; another proc (the tests') has its modules file read here.
 * Returns 0, -ENOMEM, or -errno when the modules file cannot be read.
 */
int kb_sweep_modules(struct kb_sweep *sw);

/*
 * SIGKILL each process in sw->procs, through a pidfd opened after checking
 * that the pid still names the process that was swept (same start time), and
 * wait up to wait_ms for them to exit. Sets each one's action. Returns how many
 * were not stopped (SIGNALLED, FAILED or SPARED).
 */
size_t kb_sweep_kill(struct kb_sweep *sw, unsigned int wait_ms);

/*
 * What kasblockctl sweep --kill does, so that nothing is left behind: SIGSTOP
 * each process found (through a pidfd, after the start time check), sweep
 * sw->proc again and stop what is new (children forked meanwhile), until a
 * pass finds nothing new; a stopped process the last pass no longer finds
 * running listed code (it exec'd something else) gets SIGCONT and is left
 * (KB_SWEEP_RELEASED); the rest get SIGKILL, as kb_sweep_kill(). Processes
 * found by the later passes join sw->procs. Returns how many were not stopped.
 */
size_t kb_sweep_kill_all(struct kb_sweep *sw, unsigned int wait_ms);

/* The listed entry with this digest, or NULL. */
const struct kb_entry *kb_sweep_lookup(const struct kb_list *list, const uint8_t *digest);

/* Parsers, exposed for the host tests. Each returns 0 or -EINVAL. */
int kb_sweep_parse_stat(const char *buf, struct kb_proc_stat *st);
int kb_sweep_parse_maps_line(const char *line, struct kb_map *map);
/* The effective uid from /proc/PID/status text. */
int kb_sweep_parse_status_uid(const char *buf, uid_t *uid);
/*
 * The module name a file name gives (modules.dep spelling: dashes become
 * underscores, .ko and a compression suffix go): "kernel/a/foo-bar.ko.xz" ->
 * "foo_bar". Returns 0, or -EINVAL if path does not name a .ko file.
 */
int kb_sweep_module_name(const char *path, char *name, size_t len);

/* The names of actions as the report prints them. */
const char *kb_sweep_action_name(enum kb_sweep_action action);

/* The report (report.c), as text (one line per finding) or as one JSON object. */

/* What the report says about the sweep as a whole. */
struct kb_sweep_report {
	uint64_t generation;		/* of the list swept for */
	size_t entries;
	bool kill;
};

void kb_sweep_report_text(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r);
#define KB_SWEEP_SCHEMA "kasblock-sweep/1"
void kb_sweep_report_json(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r);
/* The JSON object's members after "schema", into an object j has open (report embeds it). */
struct kb_json;
void kb_sweep_report_json_members(struct kb_json *j, const struct kb_sweep *sw,
				  const struct kb_sweep_report *r);


/* A sweep for the list the module enforces, as kb_sweep_active() leaves it. */
enum kb_sweep_step {
	KB_SWEEP_STEP_LIST,		/* asking the module for its list or status */
	KB_SWEEP_STEP_PROCESSES,	/* reading sw.proc */
	KB_SWEEP_STEP_MODULES,		/* reading the loaded modules */
};

struct kb_sweep_active {
	struct kb_list list;		/* the module's, sorted */
	struct kb_sweep sw;
	struct kb_sweep_report report;
	size_t alive;			/* with kill: processes that had not exited */
	bool kill_monitor;		/* kill asked, but the module is in monitor mode: reported only */
	enum kb_sweep_step failed;	/* where a negative return came from */
};

struct kb_nl;

/*
 * Sweep for the list the module enforces now: read it and max_hash_size
 * over nl (what the module would not hash at exec, the sweep does not
 * either), let the module's digest cache answer for open files, look at
 * every process and loaded module, and with kill SIGKILL the processes
 * found, unless the module is in monitor mode (then a->kill_monitor is set
 * and nothing is signalled). kasblockctl sweep and load --sweep both run this. Returns 0, or
 * -errno from the step in a->failed (a missing /proc/modules is no error:
 * a kernel without modules has none to look at). Prints nothing; free a
 * with kb_sweep_active_free() either way.
 */
int kb_sweep_active(struct kb_sweep_active *a, struct kb_nl *nl, bool kill);
void kb_sweep_active_free(struct kb_sweep_active *a);

#endif
