// SPDX-License-Identifier: GPL-2.0
/*
 * kasblockctl report: what both halves of the report share, reading a value
 * and saying why one could not be read (the sections' "unreadable" arrays).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "report.h"

void kb_report_mark(struct kb_report_unreadable *u, const char *key, int err)
{
	if (u->n >= sizeof(u->key) / sizeof(u->key[0]))
		return;
	u->key[u->n] = key;
	snprintf(u->why[u->n], sizeof(u->why[0]), "%s", strerror(err));
	u->n++;
}

void kb_report_unreadable_json(struct kb_json *j, const struct kb_report_unreadable *u)
{
	size_t i;

	kb_json_array_start(j, "unreadable");
	for (i = 0; i < u->n; i++) {
		kb_json_object_start(j, NULL);
		kb_json_string(j, "key", u->key[i]);
		kb_json_string(j, "error", u->why[i]);
		kb_json_object_end(j);
	}
	kb_json_array_end(j);
}

int kb_report_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

void kb_report_unreadable_text(const struct kb_report_unreadable *u, const char *key)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		if (!strcmp(u->key[i], key)) {
			printf("unreadable (%s)", u->why[i]);
			return;
		}
	}
	printf("unreadable");
}
