// SPDX-License-Identifier: GPL-2.0
/* sweep: reading the /proc text formats a sweep depends on. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sweep.h"

#define DELETED_SUFFIX " (deleted)"

/*
 * "pid (comm) state ppid ... flags(9) ... starttime(22) ...". comm may hold
 * spaces and parentheses, so it ends at the last ')'.
 */
int kb_sweep_parse_stat(const char *buf, struct kb_proc_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')'), *p;
	unsigned long long v;
	size_t len;
	char *end;
	int field;

	if (!open || !close || close < open || close[1] != ' ')
		return -EINVAL;
	len = close - open - 1;
	if (len >= sizeof(st->comm))
		len = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, len);
	st->comm[len] = '\0';

	p = close + 2;
	if (!*p || *p == ' ')
		return -EINVAL;
	st->state = *p++;
	/* Fields 4 to 22, all numbers (some may be negative, none we keep is). */
	for (field = 4; field <= 22; field++) {
		if (*p++ != ' ')
			return -EINVAL;
		errno = 0;
		if (*p == '-')
			v = (unsigned long long)strtoll(p, &end, 10);
		else
			v = strtoull(p, &end, 10);
		if (end == p || errno)
			return -EINVAL;
		p = end;
		if (field == 9)
			st->flags = (unsigned long)v;
		else if (field == 22)
			st->start_time = v;
	}
	return 0;
}

/* "Uid:\t<real>\t<effective>\t<saved>\t<fs>" */
int kb_sweep_parse_status_uid(const char *buf, uid_t *uid)
{
	const char *p = buf;
	unsigned long real, eff;

	for (;;) {
		if (!strncmp(p, "Uid:", 4)) {
			if (sscanf(p + 4, "%lu %lu", &real, &eff) != 2)
				return -EINVAL;
			*uid = (uid_t)eff;
			return 0;
		}
		p = strchr(p, '\n');
		if (!p)
			return -EINVAL;
		p++;
	}
}

/*
 * "start-end perms offset major:minor inode   path" (see proc(5)); the path
 * is padded to a column and may itself hold spaces, so it is the rest of
 * the line after the blanks. A trailing newline is allowed.
 */
int kb_sweep_parse_maps_line(const char *line, struct kb_map *map)
{
	unsigned long long offset, ino;
	unsigned int major, minor;
	char perms[5];
	int n = -1;
	size_t len;

	memset(map, 0, sizeof(*map));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu%n", &map->start, &map->end, perms,
		   &offset, &major, &minor, &ino, &n) != 7 || n < 0 || strlen(perms) != 4)
		return -EINVAL;
	if (map->end < map->start)
		return -EINVAL;
	map->exec = perms[2] == 'x';
	map->dev = makedev(major, minor);
	map->ino = ino;
	line += n;
	if (*line && *line != ' ' && *line != '\n')
		return -EINVAL;
	while (*line == ' ' || *line == '\t')
		line++;
	len = strcspn(line, "\n");
	map->path = line;
	map->path_len = len;
	if (len > strlen(DELETED_SUFFIX) &&
	    !memcmp(line + len - strlen(DELETED_SUFFIX), DELETED_SUFFIX, strlen(DELETED_SUFFIX))) {
		map->deleted = true;
		map->path_len = len - strlen(DELETED_SUFFIX);
	}
	return 0;
}

int kb_sweep_module_name(const char *path, char *name, size_t len)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = strrchr(path, '/');
	size_t blen, i, n = 0;

	base = base ? base + 1 : path;
	blen = strlen(base);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t slen = strlen(suffixes[i]);

		if (blen > slen && !strcmp(base + blen - slen, suffixes[i])) {
			n = blen - slen;
			break;
		}
	}
	if (!n || n >= len)
		return -EINVAL;
	/* The kernel names a module with underscores, whatever its file says. */
	for (i = 0; i < n; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[n] = '\0';
	return 0;
}
