// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: the /proc parsers; the process and module walks over a fake /proc
 * tree (every odd case a real one has: kernel threads, zombies, processes
 * gone halfway, unreadable entries, other mount namespaces, deleted files,
 * fallbacks when map_files is refused); and, on the real /proc, a child's
 * library and deleted executable found and the child killed by start time.
 */

/* Test paths are short; checking each snprintf() for truncation would hide what is tested. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/modimage.h"
#include "lib/sha256.h"
#include "sweep/sweep.h"
#include "lib/logstr.h"
#include "test.h"

static char T[PATH_MAX];	/* the temporary directory of the test being run */

static void path_of(char *buf, const char *fmt, va_list ap)
{
	char rel[PATH_MAX];

	vsnprintf(rel, sizeof(rel), fmt, ap);
	snprintf(buf, PATH_MAX, "%s/%s", T, rel);
}

static void mkdirs(const char *fmt, ...)
{
	char path[PATH_MAX], *p;
	va_list ap;

	va_start(ap, fmt);
	path_of(path, fmt, ap);
	va_end(ap);
	for (p = path + strlen(T) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* Write text to T/<name>, creating directories. */
static void put(const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", T, name);
	{
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", name);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			mkdirs("%s", dir);
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
}

/* Symlink T/<name> -> target (target is used as given). */
static void link_to(const char *target, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", T, name);
	CHECK_INT(symlink(target, path), 0);
}

static void digest_of(const char *text, uint8_t out[KB_DIGEST_LEN])
{
	struct kb_sha256 ctx;

	kb_sha256_init(&ctx);
	kb_sha256_update(&ctx, text, strlen(text));
	kb_sha256_final(&ctx, out);
}

static int digest_file(const char *path, uint8_t out[KB_DIGEST_LEN])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = kb_sha256_fd(fd, out, NULL);
	close(fd);
	return ret;
}

static void list_add(struct kb_list *list, const uint8_t digest[KB_DIGEST_LEN], const char *label)
{
	struct kb_entry e = { 0 };

	memcpy(e.digest, digest, KB_DIGEST_LEN);
	snprintf(e.label, sizeof(e.label), "%s", label);
	CHECK_INT(kb_list_push(list, &e), 0);
}

static void setup(void)
{
	snprintf(T, sizeof(T), "%s/kb-sweep-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	CHECK(mkdtemp(T) != NULL);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	CHECK_INT(system(cmd), 0);
}

static void teardown(void)
{
	rm_rf(T);
}

/* ---- parsers ---- */

static void test_parse_stat(void)
{
	struct kb_proc_stat st;

	CHECK_INT(kb_sweep_parse_stat("1234 (kesl) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 "
				      "3 0 98765 1000 10 18446744073709551615\n", &st), 0);
	CHECK_STR(st.comm, "kesl");
	CHECK_INT(st.state, 'S');
	CHECK_INT(st.flags, 4194560);
	CHECK_INT(st.start_time, 98765);

	/* comm may hold spaces and parentheses; the last ')' ends it. */
	CHECK_INT(kb_sweep_parse_stat("7 (a) b (c)) R 1 1 1 0 -1 2097216 0 0 0 0 0 0 0 0 20 0 1 0 "
				      "55 0 0", &st), 0);
	CHECK_STR(st.comm, "a) b (c)");
	CHECK_INT(st.state, 'R');
	CHECK(st.flags & KB_PF_KTHREAD);
	CHECK_INT(st.start_time, 55);

	CHECK_INT(kb_sweep_parse_stat("7 (x) S 1 2 3", &st), -EINVAL);		/* cut short */
	CHECK_INT(kb_sweep_parse_stat("7 x S 1 2 3", &st), -EINVAL);		/* no comm */
	CHECK_INT(kb_sweep_parse_stat("7 (x)", &st), -EINVAL);
	CHECK_INT(kb_sweep_parse_stat("7 (x) S 1 1 1 0 -1 abc 0 0 0 0 0 0 0 0 20 0 1 0 5", &st), -EINVAL);
}

static void test_parse_status_uid(void)
{
	uid_t uid = 0;

	CHECK_INT(kb_sweep_parse_status_uid("Name:\tx\nUmask:\t0022\nState:\tS\nUid:\t1000\t0\t0\t0\n"
					    "Gid:\t0\t0\t0\t0\n", &uid), 0);
	CHECK_INT(uid, 0);
	CHECK_INT(kb_sweep_parse_status_uid("Uid:\t0\t1000\t0\t0\n", &uid), 0);
	CHECK_INT(uid, 1000);
	CHECK_INT(kb_sweep_parse_status_uid("Name:\tx\n", &uid), -EINVAL);
}

static void test_parse_maps(void)
{
	struct kb_map m;

	CHECK_INT(kb_sweep_parse_maps_line("7f1c2a000000-7f1c2a022000 r-xp 00028000 08:01 1234567"
					   "                    /usr/lib/x86_64-linux-gnu/libc.so.6\n", &m), 0);
	CHECK_INT(m.start, 0x7f1c2a000000UL);
	CHECK_INT(m.end, 0x7f1c2a022000UL);
	CHECK(m.exec);
	CHECK_INT(major(m.dev), 8);
	CHECK_INT(minor(m.dev), 1);
	CHECK_INT(m.ino, 1234567);
	CHECK_INT(m.path_len, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	CHECK(!memcmp(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6", m.path_len));
	CHECK(!m.deleted);

	/* Spaces inside the name; " (deleted)" comes off. */
	CHECK_INT(kb_sweep_parse_maps_line("400000-401000 r-xp 00000000 fd:10 42 /tmp/my prog (deleted)\n",
					   &m), 0);
	CHECK_INT(major(m.dev), 0xfd);
	CHECK_INT(minor(m.dev), 0x10);
	CHECK(m.deleted);
	CHECK_INT(m.path_len, strlen("/tmp/my prog"));
	CHECK(!memcmp(m.path, "/tmp/my prog", m.path_len));

	CHECK_INT(kb_sweep_parse_maps_line("7ffd1000-7ffd3000 r-xp 00000000 00:00 0                  [vdso]",
					   &m), 0);
	CHECK_INT(m.ino, 0);
	CHECK_INT(kb_sweep_parse_maps_line("7ffd1000-7ffd3000 rw-p 00000000 00:00 0\n", &m), 0);
	CHECK(!m.exec);
	CHECK_INT(m.path_len, 0);
	/* A memfd is a file like any other. */
	CHECK_INT(kb_sweep_parse_maps_line("7f00-8f00 r-xs 00000000 00:01 2049 /memfd:jit (deleted)", &m), 0);
	CHECK(m.exec && m.deleted && m.ino == 2049);

	CHECK_INT(kb_sweep_parse_maps_line("", &m), -EINVAL);
	CHECK_INT(kb_sweep_parse_maps_line("zzz-1000 r-xp 0 08:01 1 /x", &m), -EINVAL);
	CHECK_INT(kb_sweep_parse_maps_line("2000-1000 r-xp 0 08:01 1 /x", &m), -EINVAL);
	CHECK_INT(kb_sweep_parse_maps_line("1000-2000 r-x 0 08:01 1 /x", &m), -EINVAL);
	CHECK_INT(kb_sweep_parse_maps_line("1000-2000 r-xp 0 08:01 1x /x", &m), -EINVAL);
}

static void test_module_name(void)
{
	char name[64];

	CHECK_INT(kb_sweep_module_name("kernel/arch/x86/crypto/sha256-ssse3.ko.xz", name, sizeof(name)), 0);
	CHECK_STR(name, "sha256_ssse3");
	CHECK_INT(kb_sweep_module_name("/lib/modules/6.1/extra/kasblock.ko", name, sizeof(name)), 0);
	CHECK_STR(name, "kasblock");
	CHECK_INT(kb_sweep_module_name("updates/foo.ko.zst", name, sizeof(name)), 0);
	CHECK_STR(name, "foo");
	CHECK_INT(kb_sweep_module_name("kernel/foo.o", name, sizeof(name)), -EINVAL);
	CHECK_INT(kb_sweep_module_name(".ko", name, sizeof(name)), -EINVAL);
	CHECK_INT(kb_sweep_module_name("kernel/averyveryverylongname.ko", name, 8), -EINVAL);
}

static void test_lookup(void)
{
	struct kb_list list = { 0 };
	uint8_t a[KB_DIGEST_LEN], b[KB_DIGEST_LEN], c[KB_DIGEST_LEN];
	const struct kb_entry *e;

	digest_of("a", a);
	digest_of("b", b);
	digest_of("c", c);
	list_add(&list, b, "bee");
	list_add(&list, a, "");
	kb_list_sort(&list);
	e = kb_sweep_lookup(&list, b);
	CHECK(e && !strcmp(e->label, "bee"));
	CHECK(kb_sweep_lookup(&list, a) != NULL);
	CHECK(kb_sweep_lookup(&list, c) == NULL);
	CHECK(kb_sweep_lookup(NULL, c) == NULL);
	kb_list_free(&list);
}

/* ---- a fake /proc ---- */

struct fake_file {
	char path[PATH_MAX];
	struct stat st;
};

static void fake_file(struct fake_file *f, const char *name, const char *content)
{
	put(name, content);
	snprintf(f->path, sizeof(f->path), "%s/%s", T, name);
	CHECK_INT(stat(f->path, &f->st), 0);
}

/* A maps line for f at [start, end), with maps' device and inode; suffix e.g. " (deleted)". */
static void maps_line(char *buf, size_t len, unsigned long start, const char *perms,
		      const struct fake_file *f, const char *suffix)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%lx-%lx %s 00000000 %02x:%02x %llu   %s%s\n", start,
		 start + 0x1000, perms, major(f->st.st_dev), minor(f->st.st_dev),
		 (unsigned long long)f->st.st_ino, f->path, suffix);
}

/*
 * A process (or thread) directory dir: stat (comm, state, flags), status
 * (euid), maps, exe -> exe_target (NULL: none), ns/mnt, root -> "/".
 */
static void fake_dir(const char *dir, int pid, const char *comm, char state, unsigned long flags,
		     uid_t euid, const char *maps, const char *exe_target, const char *mntns)
{
	char name[PATH_MAX], text[512];

	snprintf(name, sizeof(name), "%s/stat", dir);
	snprintf(text, sizeof(text), "%d (%s) %c 1 %d %d 0 -1 %lu 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n",
		 pid, comm, state, pid, pid, flags, 1000 + pid);
	put(name, text);
	snprintf(name, sizeof(name), "%s/status", dir);
	snprintf(text, sizeof(text), "Name:\t%s\nUid:\t%u\t%u\t%u\t%u\n", comm, euid, euid, euid, euid);
	put(name, text);
	if (maps) {
		snprintf(name, sizeof(name), "%s/maps", dir);
		put(name, maps);
	}
	if (exe_target) {
		snprintf(name, sizeof(name), "%s/exe", dir);
		link_to(exe_target, name);
	}
	mkdirs("%s/ns", dir);
	snprintf(name, sizeof(name), "%s/ns/mnt", dir);
	link_to(mntns, name);
	snprintf(name, sizeof(name), "%s/root", dir);
	link_to("/", name);
}

static void fake_proc(int pid, const char *comm, char state, unsigned long flags, uid_t euid,
		      const char *maps, const char *exe_target, const char *mntns)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "proc/%d", pid);
	fake_dir(dir, pid, comm, state, flags, euid, maps, exe_target, mntns);
	mkdirs("%s/map_files", dir);
}

static void fake_map_file(int pid, unsigned long start, const struct fake_file *f)
{
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "proc/%d/map_files/%lx-%lx", pid, start, start + 0x1000);
	link_to(f->path, name);
}

/* map_files refusing to follow, as it does without CAP_SYS_ADMIN: a link to itself (ELOOP). */
static void fake_map_refused(int pid, unsigned long start)
{
	char name[PATH_MAX], self[64];

	snprintf(name, sizeof(name), "proc/%d/map_files/%lx-%lx", pid, start, start + 0x1000);
	snprintf(self, sizeof(self), "%lx-%lx", start, start + 0x1000);
	link_to(self, name);
}

#define HOST_NS "mnt:[4026531841]"
#define OTHER_NS "mnt:[4026532999]"

static const struct kb_sweep_proc *find_proc(const struct kb_sweep *sw, pid_t pid)
{
	size_t i;

	for (i = 0; i < sw->n_procs; i++)
		if (sw->procs[i].pid == pid)
			return &sw->procs[i];
	return NULL;
}

static const struct kb_sweep_unchecked *find_unchecked(const struct kb_sweep *sw, pid_t pid)
{
	size_t i;

	for (i = 0; i < sw->n_unchecked; i++)
		if (!sw->unchecked[i].module && sw->unchecked[i].pid == pid)
			return &sw->unchecked[i];
	return NULL;
}

/* The fake tree most tests use; fills the files and the list. */
struct world {
	struct fake_file listed, lib, clean, gone, other;
	struct kb_list list;
	char proc[PATH_MAX];
};

static void build_world(struct world *w)
{
	uint8_t d[KB_DIGEST_LEN];
	char maps[4096];

	memset(w, 0, sizeof(*w));
	fake_file(&w->listed, "files/kesl", "listed program\n");
	fake_file(&w->lib, "files/libkav.so", "listed library\n");
	fake_file(&w->clean, "files/bash", "clean program\n");
	fake_file(&w->gone, "files/gone-but-mapped", "deleted program\n");
	fake_file(&w->other, "files/other", "listed library\n");	/* same bytes, new inode */
	digest_of("listed program\n", d);
	list_add(&w->list, d, "kesl");
	digest_of("listed library\n", d);
	list_add(&w->list, d, "libkav");
	digest_of("deleted program\n", d);
	list_add(&w->list, d, "");
	kb_list_sort(&w->list);
	snprintf(w->proc, sizeof(w->proc), "%s/proc", T);
	mkdirs("proc/self/ns");
	link_to(HOST_NS, "proc/self/ns/mnt");

	/* 100: a listed executable, also mapped without x (not a second match). */
	maps[0] = '\0';
	maps_line(maps, sizeof(maps), 0x400000, "r--p", &w->listed, "");
	maps_line(maps, sizeof(maps), 0x401000, "r-xp", &w->listed, "");
	maps_line(maps, sizeof(maps), 0x402000, "r-xp", &w->clean, "");	/* odd, but a file */
	strcat(maps, "7ffd1000-7ffd3000 r-xp 00000000 00:00 0                  [vdso]\n");
	strcat(maps, "7ffd3000-7ffd4000 rw-p 00000000 00:00 0 \n");
	fake_proc(100, "kesl", 'S', 0x400100, 0, maps, w->listed.path, HOST_NS);
	fake_map_file(100, 0x401000, &w->listed);
	fake_map_file(100, 0x402000, &w->clean);

	/* 101: a clean executable with a listed library mapped in two pieces. */
	maps[0] = '\0';
	maps_line(maps, sizeof(maps), 0x400000, "r-xp", &w->clean, "");
	maps_line(maps, sizeof(maps), 0x7f0000, "r-xp", &w->lib, "");
	maps_line(maps, sizeof(maps), 0x7f2000, "r-xp", &w->lib, "");
	fake_proc(101, "bash", 'S', 0x400000, 1000, maps, w->clean.path, HOST_NS);
	fake_map_file(101, 0x400000, &w->clean);
	fake_map_file(101, 0x7f0000, &w->lib);
	fake_map_file(101, 0x7f2000, &w->lib);

	/* 102: a kernel thread. 103: a zombie. */
	fake_proc(102, "kworker/0:1", 'I', 0x04208060, 0, "", NULL, HOST_NS);
	fake_proc(103, "defunct", 'Z', 0x400000, 0, "", NULL, HOST_NS);

	/* 104: a listed executable in a container. */
	maps[0] = '\0';
	maps_line(maps, sizeof(maps), 0x500000, "r-xp", &w->listed, "");
	fake_proc(104, "kesl", 'S', 0x400100, 0, maps, w->listed.path, OTHER_NS);
	fake_map_file(104, 0x500000, &w->listed);

	/* 105: a deleted executable, still readable through map_files. */
	maps[0] = '\0';
	maps_line(maps, sizeof(maps), 0x600000, "r-xp", &w->gone, " (deleted)");
	fake_proc(105, "old", 'S', 0x400000, 0, maps, w->gone.path, HOST_NS);
	fake_map_file(105, 0x600000, &w->gone);

	/* 106: map_files refused: the library through root/<path>. */
	maps[0] = '\0';
	maps_line(maps, sizeof(maps), 0x7f0000, "r-xp", &w->lib, "");
	fake_proc(106, "noperm", 'S', 0x400000, 0, maps, NULL, HOST_NS);
	fake_map_refused(106, 0x7f0000);
}

static void test_fake_proc_walk(void)
{
	struct kb_sweep sw;
	struct world w;
	const struct kb_sweep_proc *p;
	const struct kb_sweep_unchecked *u;

	setup();
	build_world(&w);
	/* 107: an inode that its path no longer names: not read, said so. */
	{
		char maps[512] = "";
		struct fake_file f = w.other;

		f.st.st_ino += 1000000;
		maps_line(maps, sizeof(maps), 0x7f0000, "r-xp", &f, "");
		fake_proc(107, "swapped", 'S', 0x400000, 0, maps, NULL, HOST_NS);
		fake_map_refused(107, 0x7f0000);
	}
	/* 108: maps unreadable (a directory reads EISDIR). 109: stat gone. 110: no mm left. */
	fake_proc(108, "secret", 'S', 0x400000, 0, NULL, NULL, HOST_NS);
	mkdirs("proc/108/maps");
	mkdirs("proc/109");
	fake_proc(110, "exiting", 'S', 0x400000, 0, "", NULL, HOST_NS);
	/* 111: a zombie leader whose thread 112 runs the listed program on. 113: all zombie. */
	{
		char maps[512] = "";

		maps_line(maps, sizeof(maps), 0x400000, "r-xp", &w.listed, "");
		fake_proc(111, "kesl", 'Z', 0x400100, 0, "", NULL, HOST_NS);
		fake_dir("proc/111/task/111", 111, "kesl", 'Z', 0x400100, 0, "", NULL, HOST_NS);
		fake_dir("proc/111/task/112", 112, "kesl", 'S', 0x400040, 0, maps, w.listed.path,
			 HOST_NS);
		fake_proc(113, "dead", 'Z', 0x400100, 0, "", NULL, HOST_NS);
		fake_dir("proc/113/task/113", 113, "dead", 'Z', 0x400100, 0, "", NULL, HOST_NS);
		fake_dir("proc/113/task/114", 114, "dead", 'Z', 0x400100, 0, "", NULL, HOST_NS);
	}

	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);

	CHECK_INT(sw.n_procs, 6);
	p = find_proc(&sw, 100);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_matches, 1);
		CHECK(p->matches[0].exe);
		CHECK_STR(p->matches[0].path, w.listed.path);
		CHECK_STR(p->matches[0].entry->label, "kesl");
		CHECK_INT(p->matches[0].start, 0x401000);
		CHECK_STR(p->comm, "kesl");
		CHECK_INT(p->uid, 0);
		CHECK_INT(p->start_time, 1100);
		CHECK_STR(p->exe, w.listed.path);
		CHECK(!p->other_mntns);
	}
	p = find_proc(&sw, 101);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_matches, 1);	/* two pieces, one file */
		CHECK(!p->matches[0].exe);
		CHECK_STR(p->matches[0].path, w.lib.path);
		CHECK_STR(p->matches[0].entry->label, "libkav");
		CHECK_INT(p->uid, 1000);
	}
	p = find_proc(&sw, 104);
	CHECK(p && p->other_mntns && p->n_matches == 1);
	p = find_proc(&sw, 105);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_matches, 1);
		CHECK(p->matches[0].deleted);
		CHECK(p->matches[0].exe);
		CHECK_STR(p->matches[0].path, w.gone.path);
		CHECK_STR(p->matches[0].entry->label, "");
	}
	p = find_proc(&sw, 106);
	CHECK(p && p->n_matches == 1 && !p->matches[0].exe);
	p = find_proc(&sw, 111);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_matches, 1);
		CHECK(p->matches[0].exe);
		CHECK_STR(p->matches[0].path, w.listed.path);
		CHECK_INT(p->start_time, 1111);	/* the leader's: the kill checks the leader */
	}
	CHECK(find_proc(&sw, 102) == NULL);
	CHECK(find_proc(&sw, 113) == NULL);
	CHECK(find_proc(&sw, 107) == NULL);
	u = find_unchecked(&sw, 107);
	CHECK(u && u->err == ESTALE && u->path && !strcmp(u->path, w.other.path));
	u = find_unchecked(&sw, 108);
	CHECK(u && u->err == EISDIR && !u->path);

	CHECK_INT(sw.stats.kernel_threads, 1);
	CHECK_INT(sw.stats.exited, 4);		/* 103, 113 zombies, 109 gone, 110 no mm */
	CHECK_INT(sw.stats.unreadable, 1);	/* 108 */
	CHECK_INT(sw.stats.processes, 7);	/* 100, 101, 104, 105, 106, 107, 111 */
	CHECK_INT(sw.stats.other_mntns, 1);
	CHECK_INT(sw.stats.files, 4);		/* kesl, bash, libkav, gone: each once */
	CHECK_INT(sw.stats.files_unreadable, 1);	/* 107's */
	CHECK_INT(sw.n_unchecked, 2);
	/* Sorted by pid. */
	CHECK(sw.procs[0].pid == 100 && sw.procs[4].pid == 106 && sw.procs[5].pid == 111);
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

/* A stand-in for the module's digest cache: it "knows" one inode, with a chosen digest. */
struct fake_module {
	ino_t ino;
	uint8_t digest[KB_DIGEST_LEN];
	int other;		/* what it answers for every other file */
	unsigned int calls;
};

static int fake_known_digest(void *ctx, int fd, uint8_t digest[KB_DIGEST_LEN])
{
	struct fake_module *m = ctx;
	struct stat st;

	m->calls++;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EBADF;
	if (m->other == -EOPNOTSUPP || st.st_ino != m->ino)
		return m->other;
	memcpy(digest, m->digest, KB_DIGEST_LEN);
	return 0;
}

/*
 * The module's answer is taken instead of reading the file: it says the clean program
 * hashed to the listed "kesl" digest (as it would have, had the file changed after the
 * sweep's ancestors ran it), and the sweep believes it without hashing that file.
 */
static void test_module_digests_are_used(void)
{
	struct fake_module m = { .other = -ENODATA };
	const struct kb_sweep_proc *p;
	struct kb_sweep sw;
	struct world w;

	setup();
	build_world(&w);
	m.ino = w.clean.st.st_ino;
	digest_of("listed program\n", m.digest);
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	sw.known_digest = fake_known_digest;
	sw.known_ctx = &m;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	p = find_proc(&sw, 101);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_matches, 2);	/* the "clean" executable, and the library */
		CHECK(p->matches[0].exe);
		CHECK_STR(p->matches[0].entry->label, "kesl");
	}
	CHECK_INT(sw.stats.files_cached, 1);	/* the clean program, asked once for two processes */
	CHECK_INT(sw.stats.files, 3);		/* kesl, libkav, gone: hashed */
	CHECK_INT(m.calls, 4);			/* each distinct file once */
	kb_sweep_free(&sw);

	/* A module without the command: asked once, then everything is hashed. */
	m.other = -EOPNOTSUPP;
	m.calls = 0;
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	sw.known_digest = fake_known_digest;
	sw.known_ctx = &m;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(m.calls, 1);
	CHECK_INT(sw.stats.files_cached, 0);
	CHECK_INT(sw.stats.files, 4);
	CHECK(find_proc(&sw, 101) && find_proc(&sw, 101)->n_matches == 1);
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

/*
 * On btrfs, maps prints the superblock's device, which every subvolume
 * shares, and inode numbers restart per subvolume: two unrelated files print
 * the same dev:ino. Each gets its own verdict, whichever the sweep meets first.
 */
static void test_maps_dev_ino_collision_gets_separate_verdicts(void)
{
	struct fake_file listed, clean, shown;
	struct kb_list list = { 0 };
	const struct kb_sweep_proc *p;
	char maps[512], proc[PATH_MAX];
	uint8_t d[KB_DIGEST_LEN];
	struct kb_sweep sw;

	setup();
	fake_file(&listed, "subvol1/kesl", "listed program\n");
	fake_file(&clean, "subvol2/bash", "clean program\n");
	digest_of("listed program\n", d);
	list_add(&list, d, "kesl");
	kb_list_sort(&list);
	snprintf(proc, sizeof(proc), "%s/proc", T);
	mkdirs("proc/self/ns");
	link_to(HOST_NS, "proc/self/ns/mnt");
	/* 200, 300: clean, then listed; 201, 301: listed, then clean; all one dev:ino in maps. */
	static const struct { int pid; bool is_listed; } procs[] = {
		{ 200, false }, { 201, true }, { 300, true }, { 301, false },
	};
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		const struct fake_file *f = procs[i].is_listed ? &listed : &clean;

		shown = *f;
		shown.st.st_dev = listed.st.st_dev;
		shown.st.st_ino = 4242;
		maps[0] = '\0';
		maps_line(maps, sizeof(maps), 0x400000, "r-xp", &shown, "");
		fake_proc(procs[i].pid, procs[i].is_listed ? "kesl" : "bash", 'S', 0x400000, 0, maps,
			  f->path, HOST_NS);
		fake_map_file(procs[i].pid, 0x400000, f);
	}
	kb_sweep_init(&sw, &list);
	sw.proc = proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.stats.files, 2);
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		p = find_proc(&sw, procs[i].pid);
		if (procs[i].is_listed)
			CHECK(p && p->n_matches == 1 && !strcmp(p->matches[0].entry->label, "kesl"));
		else
			CHECK(p == NULL);
	}
	CHECK_INT(sw.n_procs, 2);
	kb_sweep_free(&sw);
	kb_list_free(&list);
	teardown();
}

static void test_fake_oversize_and_empty_list(void)
{
	struct kb_list empty = { 0 };
	struct kb_sweep sw;
	struct world w;

	setup();
	build_world(&w);
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	sw.max_size = 8;	/* every file is larger */
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.n_procs, 0);
	CHECK_INT(sw.stats.files, 0);
	CHECK_INT(sw.stats.files_oversize, 4);	/* once per file, however many map it */
	CHECK_INT(sw.stats.files_unreadable, 0);
	CHECK(sw.n_unchecked >= 4);
	CHECK_INT(sw.unchecked[0].err, EFBIG);
	kb_sweep_free(&sw);

	/* Nothing listed: nothing read. */
	kb_sweep_init(&sw, &empty);
	sw.proc = w.proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.n_procs, 0);
	CHECK_INT(sw.stats.files, 0);
	CHECK_INT(sw.stats.processes, 5);
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

/*
 * The sweep finds module files through libkmod, which reads modules.dep.bin:
 * depmod writes it for the fake tree T/base/lib/modules/1.0 (it complains
 * that the fake modules have no symbols, and lists them all the same).
 * Fills moddir; false (the test is skipped) without depmod.
 */
static bool depmod_fake(char *moddir, size_t len)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "depmod -b '%s/base' 1.0 >/dev/null 2>&1", T);
	if (system(cmd)) {
		snprintf(cmd, sizeof(cmd), "/sbin/depmod -b '%s/base' 1.0 >/dev/null 2>&1", T);
		if (system(cmd))
			return false;
	}
	snprintf(moddir, len, "%s/base/lib/modules/1.0", T);
	return true;
}

/* A compressed module matches by its decompressed image's digest too. */
static void test_compressed_module_matches_by_image(void)
{
	char moddir[PATH_MAX], cmd[2 * PATH_MAX];
	struct kb_sweep sw;
	struct world w;

	if (!kb_compression_supported(KB_COMP_XZ))
		SKIP("built without liblzma");
	setup();
	build_world(&w);
	put("proc/modules", "kesl_fan 16384 0 - Live 0x0000000000000000 (OE)\n");
	/* The image is the listed program's bytes; the .xz file's digest is listed nowhere. */
	put("base/lib/modules/1.0/extra/kesl-fan.ko", "listed program\n");
	snprintf(cmd, sizeof(cmd), "xz --check=crc32 '%s/base/lib/modules/1.0/extra/kesl-fan.ko'", T);
	if (system(cmd) || !depmod_fake(moddir, sizeof(moddir))) {
		kb_list_free(&w.list);
		teardown();
		SKIP("needs xz and depmod");
	}
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	sw.moddir = moddir;
	CHECK_INT(kb_sweep_modules(&sw), 0);
	CHECK_INT(sw.n_mods, 1);
	if (sw.n_mods) {
		CHECK_STR(sw.mods[0].name, "kesl_fan");
		CHECK_STR(sw.mods[0].entry->label, "kesl");
	}
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

static void test_fake_modules(void)
{
	struct kb_sweep sw;
	struct world w;
	char moddir[PATH_MAX];
	size_t i, nofile = 0;

	setup();
	build_world(&w);
	put("proc/modules", "kav4fs 16384 0 - Live 0x0000000000000000 (OE)\n"
			    "sha256_ssse3 32768 1 - Live 0x0000000000000000\n"
			    "kasblock 65536 0 - Live 0x0000000000000000 (OE)\n");
	/* sha256-ssse3.ko: libkmod spells the name with '_', as /proc/modules does. */
	put("base/lib/modules/1.0/extra/kav4fs.ko", "listed library\n");
	put("base/lib/modules/1.0/kernel/arch/x86/crypto/sha256-ssse3.ko", "clean module\n");
	if (!depmod_fake(moddir, sizeof(moddir))) {
		kb_list_free(&w.list);
		teardown();
		SKIP("needs depmod (kmod)");
	}

	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	sw.moddir = moddir;
	CHECK_INT(kb_sweep_modules(&sw), 0);
	CHECK_INT(sw.stats.modules, 3);
	CHECK_INT(sw.stats.modules_without_file, 1);
	CHECK_INT(sw.n_mods, 1);
	if (sw.n_mods) {
		CHECK_STR(sw.mods[0].name, "kav4fs");
		CHECK(strstr(sw.mods[0].path, "/base/lib/modules/1.0/extra/kav4fs.ko") != NULL);
		CHECK_STR(sw.mods[0].entry->label, "libkav");
	}
	for (i = 0; i < sw.n_unchecked; i++) {
		if (sw.unchecked[i].module && !strcmp(sw.unchecked[i].module, "kasblock")) {
			CHECK(!sw.unchecked[i].path);
			CHECK_INT(sw.unchecked[i].err, ENOENT);
			nofile++;
		}
	}
	CHECK_INT(nofile, 1);
	kb_sweep_free(&sw);

	/* No modules.dep.bin at all: every module is one without a file, and that is no error. */
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	snprintf(moddir, sizeof(moddir), "%s/nowhere", T);
	sw.moddir = moddir;
	CHECK_INT(kb_sweep_modules(&sw), 0);
	CHECK_INT(sw.stats.modules_without_file, 3);
	kb_sweep_free(&sw);

	/* No /proc/modules: the error is the caller's to judge. */
	rm_rf(sw.proc);
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	CHECK_INT(kb_sweep_modules(&sw), -ENOENT);
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

/* Capture a report into a string. */
static char *report(const struct kb_sweep *sw, const struct kb_sweep_report *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (json)
		kb_sweep_report_json(f, sw, r);
	else
		kb_sweep_report_text(f, sw, r);
	fclose(f);
	return buf;
}

static void test_reports(void)
{
	struct kb_sweep_report r = { .generation = 7, .entries = 3 };
	struct kb_sweep sw;
	struct world w;
	char want[PATH_MAX + 256], hex[KB_HEX_LEN + 1], *out;

	setup();
	build_world(&w);
	kb_sweep_init(&sw, &w.list);
	sw.proc = w.proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);

	out = report(&sw, &r, false);
	CHECK(out != NULL);
	if (out) {
		kb_hex_format(find_proc(&sw, 100)->matches[0].entry->digest, hex);
		snprintf(want, sizeof(want), "process pid=100 user=\"root\" comm=\"kesl\" match=exe "
			 "path=\"%s\" sha256=%s label=\"kesl\"\n", w.listed.path, hex);
		CHECK(strstr(out, want) != NULL);
		snprintf(want, sizeof(want), "process pid=101 user=\"%s\" comm=\"bash\" match=mapping "
			 "range=7f0000-7f1000 path=\"%s\"", getpwuid(1000) ? getpwuid(1000)->pw_name : "1000",
			 w.lib.path);
		CHECK(strstr(out, want) != NULL);
		CHECK(strstr(out, "label=\"\" deleted=yes\n") != NULL);
		CHECK(strstr(out, " mntns=other\n") != NULL);
		CHECK(strstr(out, "action=") == NULL);
		CHECK(strstr(out, "\nsummary generation=7 entries=3 processes=5 other_mntns=1 files=4 ") != NULL);
		CHECK(strstr(out, " kernel_threads=1 exited=1 unreadable=0 ") != NULL);
		free(out);
	}

	r.kill = true;
	sw.procs[0].action = KB_SWEEP_FAILED;
	sw.procs[0].action_err = EPERM;
	sw.procs[1].action = KB_SWEEP_KILLED;
	out = report(&sw, &r, false);
	CHECK(out && strstr(out, " action=failed error=\"Operation not permitted\"\n"));
	CHECK(out && strstr(out, " action=killed\n"));
	CHECK(out && strstr(out, " stopped=1 not_stopped=4 "));
	free(out);

	out = report(&sw, &r, true);
	CHECK(out != NULL);
	if (out) {
		const char *head = "{\"schema\":\"kasblock-sweep/1\",\"generation\":7,\"entries\":3,\"kill\":true,\"processes\":"
				   "[{\"pid\":100,\"comm\":\"kesl\",\"uid\":0,\"user\":\"root\",";

		CHECK(!strncmp(out, head, strlen(head)));
		CHECK(strstr(out, "\"action\":\"failed\",\"error\":\"Operation not permitted\"}") != NULL);
		CHECK(strstr(out, "\"deleted\":true") != NULL);
		CHECK(strstr(out, "\"label\":null") != NULL);
		CHECK(strstr(out, "\"skipped\":{\"kernel_threads\":1,\"exited\":1,\"unreadable\":0,") != NULL);
		CHECK(strstr(out, "\"modules\":[]") != NULL);
		CHECK(out[strlen(out) - 1] == '\n' && out[strlen(out) - 2] == '}');
		free(out);
	}
	kb_sweep_free(&sw);
	kb_list_free(&w.list);
	teardown();
}

static void test_quoting(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	kb_log_quotes(f, "a \"b\"\\\n\xc3\xa9");
	fclose(f);
	CHECK_STR(buf, "\"a \\x22b\\x22\\x5c\\x0a\\xc3\\xa9\"");
	free(buf);
}

/* ---- the real /proc, through a directory of symlinks to chosen pids ---- */

/* A proc tree with only pid (and self) in it: T/rp/<pid> -> /proc/<pid>. */
static void real_proc_of(pid_t pid, char *proc, size_t len)
{
	char name[64], target[64];

	mkdirs("rp");
	snprintf(name, sizeof(name), "rp/%d", (int)pid);
	snprintf(target, sizeof(target), "/proc/%d", (int)pid);
	link_to(target, name);
	link_to("/proc/self", "rp/self");
	snprintf(proc, len, "%s/rp", T);
}

static unsigned long long start_time_of(pid_t pid)
{
	struct kb_proc_stat st = { 0 };
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	kb_sweep_parse_stat(buf, &st);
	return st.start_time;
}

/* A child that waits to be killed, with a pipe closing when it is ready (exec'd or not). */
static pid_t spawn(const char *prog)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (prog) {
			execl(prog, prog, "1000", (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	/* EOF once the child exec'd, or closed its end. */
	while (read(fds[0], &c, 1) < 0 && errno == EINTR)
		;
	close(fds[0]);
	return pid;
}

static bool killed_by_sigkill(pid_t pid)
{
	int status = 0;

	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* The file behind the child's first executable mapping whose name contains "libc". */
static bool libc_of(pid_t pid, char *path, size_t len)
{
	char maps[64], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		struct kb_map m;

		if (!kb_sweep_parse_maps_line(line, &m) && m.exec && m.ino &&
		    memmem(m.path, m.path_len, "/libc", 5) && m.path_len < len) {
			memcpy(path, m.path, m.path_len);
			path[m.path_len] = '\0';
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found;
}

static void test_real_library_found(void)
{
	struct kb_list list = { 0 };
	uint8_t d[KB_DIGEST_LEN];
	char proc[PATH_MAX], lib[PATH_MAX];
	struct kb_sweep sw;
	pid_t child;

	setup();
	child = spawn(NULL);
	CHECK(child > 0);
	if (child <= 0 || !libc_of(child, lib, sizeof(lib))) {
		if (child > 0)
			kill(child, SIGKILL), waitpid(child, NULL, 0);
		teardown();
		SKIP("no libc mapping to test with (static build?)");
	}
	CHECK_INT(digest_file(lib, d), 0);
	list_add(&list, d, "libc");
	kb_list_sort(&list);
	real_proc_of(child, proc, sizeof(proc));

	kb_sweep_init(&sw, &list);
	sw.proc = proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.n_procs, 1);
	if (sw.n_procs) {
		CHECK_INT(sw.procs[0].pid, child);
		CHECK_INT(sw.procs[0].n_matches, 1);
		CHECK(!sw.procs[0].matches[0].exe);
		CHECK_STR(sw.procs[0].matches[0].path, lib);
		CHECK_INT(sw.procs[0].start_time, start_time_of(child));
	}
	CHECK_INT(sw.stats.processes, 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	kb_sweep_free(&sw);
	kb_list_free(&list);
	teardown();
}

/* A copy of /bin/sleep, started, then deleted: still found, by way of map_files, and killed. */
static void test_real_deleted_exe_found_and_killed(void)
{
	struct kb_list list = { 0 };
	uint8_t d[KB_DIGEST_LEN];
	char proc[PATH_MAX], prog[PATH_MAX], cmd[2 * PATH_MAX];
	struct kb_sweep sw;
	pid_t child;

	setup();
	if (geteuid()) {
		teardown();
		SKIP("needs root (map_files)");
	}
	snprintf(prog, sizeof(prog), "%s/kb-sleep", T);
	snprintf(cmd, sizeof(cmd), "cp /bin/sleep '%s' && printf tag >>'%s'", prog, prog);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(digest_file(prog, d), 0);
	list_add(&list, d, "kb-sleep");
	kb_list_sort(&list);
	child = spawn(prog);
	CHECK(child > 0);
	CHECK_INT(unlink(prog), 0);
	real_proc_of(child, proc, sizeof(proc));

	kb_sweep_init(&sw, &list);
	sw.proc = proc;
	sw.self = getpid();
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.n_procs, 1);
	if (sw.n_procs) {
		CHECK_INT(sw.procs[0].n_matches, 1);
		CHECK(sw.procs[0].matches[0].exe);
		CHECK(sw.procs[0].matches[0].deleted);
		CHECK_STR(sw.procs[0].matches[0].path, prog);
		CHECK(sw.procs[0].exe_deleted);
		CHECK_STR(sw.procs[0].exe, prog);
		CHECK_STR(sw.procs[0].matches[0].entry->label, "kb-sleep");
	}
	CHECK_INT(kb_sweep_kill(&sw, 5000), 0);
	if (sw.n_procs)
		CHECK_INT(sw.procs[0].action, KB_SWEEP_KILLED);
	CHECK(killed_by_sigkill(child));
	kb_sweep_free(&sw);
	kb_list_free(&list);
	teardown();
}

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Is pid's leader a zombie yet? */
static bool leader_is_zombie(pid_t pid)
{
	struct kb_proc_stat st = { 0 };
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return !kb_sweep_parse_stat(buf, &st) && st.state == 'Z';
}

/* A leader that called pthread_exit() looks dead; its thread is not: found, and killed. */
static void test_real_zombie_leader_found_and_killed(void)
{
	struct kb_list list = { 0 };
	uint8_t d[KB_DIGEST_LEN];
	char proc[PATH_MAX], lib[PATH_MAX];
	struct kb_sweep sw;
	pthread_t t;
	pid_t child;
	int i;

	setup();
	child = fork();
	if (child == 0) {
		if (pthread_create(&t, NULL, park, NULL))
			_exit(1);
		pthread_exit(NULL);
	}
	CHECK(child > 0);
	for (i = 0; i < 500 && !leader_is_zombie(child); i++)
		usleep(10000);
	CHECK(leader_is_zombie(child));
	CHECK(libc_of(getpid(), lib, sizeof(lib)));
	CHECK_INT(digest_file(lib, d), 0);
	list_add(&list, d, "libc");
	kb_list_sort(&list);
	real_proc_of(child, proc, sizeof(proc));

	kb_sweep_init(&sw, &list);
	sw.proc = proc;
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK_INT(sw.n_procs, 1);
	if (sw.n_procs) {
		CHECK_INT(sw.procs[0].pid, child);
		CHECK_INT(sw.procs[0].n_matches, 1);
		CHECK_STR(sw.procs[0].matches[0].path, lib);
	}
	CHECK_INT(kb_sweep_kill(&sw, 5000), 0);
	if (sw.n_procs)
		CHECK_INT(sw.procs[0].action, KB_SWEEP_KILLED);
	CHECK(killed_by_sigkill(child));
	kb_sweep_free(&sw);
	kb_list_free(&list);
	teardown();
}

/* A pid whose start time is not the swept one is someone else now: left alone. */
/*
 * --kill leaves nothing behind: a listed program (a tagged copy of bash)
 * forks in a loop, each child blocking in open() of a FIFO; children forked
 * after /proc was read must be stopped and killed too. The test is the
 * subreaper of the tree, so every descendant comes back to it: all of them
 * must be dead and reaped, the forker's and its forks'. A copy of sleep
 * started by the forker (exec'd away from the listed file) is not touched.
 * The real /proc is swept, but only this test's tagged copy is listed.
 */
static void test_kill_all_leaves_no_fork_behind(void)
{
	struct kb_list list = { 0 };
	uint8_t d[KB_DIGEST_LEN];
	char prog[PATH_MAX], fifo[PATH_MAX], tick[PATH_MAX], cmd[3 * PATH_MAX];
	int status, killed = 0, others = 0, i;
	struct kb_sweep sw;
	pid_t child, pid;

	setup();
	snprintf(prog, sizeof(prog), "%s/kb-forker", T);
	snprintf(fifo, sizeof(fifo), "%s/block", T);
	snprintf(tick, sizeof(tick), "%s/block.t", T);
	snprintf(cmd, sizeof(cmd), "cp /bin/bash '%s' && printf tag >>'%s'", prog, prog);
	if (access("/bin/bash", X_OK) || system(cmd)) {
		teardown();
		SKIP("needs /bin/bash");
	}
	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_INT(mkfifo(tick, 0600), 0);
	CHECK_INT(digest_file(prog, d), 0);
	list_add(&list, d, "kb-forker");
	kb_list_sort(&list);
	CHECK_INT(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	child = fork();
	if (child == 0) {
		setpgid(0, 0);
		execl(prog, prog, "-c",
		      "/bin/sleep 1000 & while :; do ( read x < \"$0\" ) & read -t 0.005 x <> \"$0.t\"; done",
		      fifo, (char *)NULL);
		_exit(127);
	}
	CHECK(child > 0);
	setpgid(child, child);
	usleep(300000);

	kb_sweep_init(&sw, &list);
	sw.proc = "/proc";
	sw.self = getpid();
	CHECK_INT(kb_sweep_processes(&sw), 0);
	CHECK(sw.n_procs >= 2);
	CHECK_INT(kb_sweep_kill_all(&sw, 5000), 0);
	for (size_t k = 0; k < sw.n_procs; k++)
		CHECK(sw.procs[k].action == KB_SWEEP_KILLED || sw.procs[k].action == KB_SWEEP_RELEASED);
	kb_sweep_free(&sw);

	/* Every descendant but sleep is dead: reap until only sleep is left. */
	i = 0;
	for (i = 0; i < 20; i++) {	/* until nothing more for 200 ms */
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0)
			break;
		if (pid == 0) {
			usleep(10000);
			continue;
		}
		i = 0;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else
			others++;
	}
	/* Left: sleep, and whatever escaped. None may run the forker. */
	{
		char path[64], exe[PATH_MAX];
		DIR *dir = opendir("/proc");
		struct dirent *e;
		int escaped = 0;

		while (dir && (e = readdir(dir))) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
			n = readlink(path, exe, sizeof(exe) - 1);
			if (n <= 0)
				continue;
			exe[n] = '\0';
			if (!strncmp(exe, prog, strlen(prog)))
				escaped++;
		}
		if (dir)
			closedir(dir);
		CHECK_INT(escaped, 0);
	}
	CHECK(killed >= 3);	/* the forker and at least two forks */
	CHECK_INT(others, 0);
	kill(-child, SIGKILL);	/* sleep, and anything that escaped */
	while (waitpid(-1, NULL, 0) > 0)
		;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	kb_list_free(&list);
	teardown();
}

static void test_kill_checks_start_time(void)
{
	struct kb_sweep_proc procs[3];
	struct kb_sweep sw;
	pid_t child, dead;
	int status;

	child = spawn(NULL);
	dead = spawn(NULL);
	CHECK(child > 0 && dead > 0);
	kill(dead, SIGKILL);
	waitpid(dead, NULL, 0);

	memset(procs, 0, sizeof(procs));
	procs[0].pid = child;
	procs[0].start_time = start_time_of(child) + 1;
	procs[1].pid = dead;
	procs[2].pid = getpid();
	procs[2].start_time = start_time_of(getpid());
	kb_sweep_init(&sw, NULL);
	sw.procs = procs;
	sw.n_procs = 3;
	sw.self = getpid();
	CHECK_INT(kb_sweep_kill(&sw, 1000), 1);	/* ourselves */
	CHECK_INT(procs[0].action, KB_SWEEP_VANISHED);
	CHECK_INT(procs[1].action, KB_SWEEP_VANISHED);
	CHECK_INT(procs[2].action, KB_SWEEP_SPARED);
	CHECK_INT(waitpid(child, &status, WNOHANG), 0);	/* still alive */

	/* The right start time: killed, and the whole process. */
	procs[0].start_time = start_time_of(child);
	sw.n_procs = 1;
	CHECK_INT(kb_sweep_kill(&sw, 5000), 0);
	CHECK_INT(procs[0].action, KB_SWEEP_KILLED);
	CHECK(killed_by_sigkill(child));
	CHECK_STR(kb_sweep_action_name(KB_SWEEP_SIGNALLED), "signalled");
}

int main(void)
{
	RUN(test_parse_stat);
	RUN(test_parse_status_uid);
	RUN(test_parse_maps);
	RUN(test_module_name);
	RUN(test_lookup);
	RUN(test_fake_proc_walk);
	RUN(test_maps_dev_ino_collision_gets_separate_verdicts);
	RUN(test_fake_oversize_and_empty_list);
	RUN(test_module_digests_are_used);
	RUN(test_fake_modules);
	RUN(test_compressed_module_matches_by_image);
	RUN(test_reports);
	RUN(test_quoting);
	RUN(test_real_library_found);
	RUN(test_real_deleted_exe_found_and_killed);
	RUN(test_real_zombie_leader_found_and_killed);
	RUN(test_kill_checks_start_time);
	RUN(test_kill_all_leaves_no_fork_behind);
	return kbt_done();
}
