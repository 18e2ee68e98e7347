/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands of kasblockctl: one <name>_main() each, dispatched from kasblockctl.c. */
#ifndef KB_SUBCOMMANDS_H
#define KB_SUBCOMMANDS_H

/*
 * Every <name>_main() gets argv[0] == its own name, prints its usage on
 * --help (exit 0) and returns one of these exit codes (see kasblockctl(8)).
 */
enum {
	KB_EXIT_OK = 0,
	KB_EXIT_FAIL = 1,	/* kernel refused, or a system error */
	KB_EXIT_USAGE = 2,	/* usage error or malformed input */
	KB_EXIT_NOMODULE = 3,	/* the kasblock family is not registered */
	KB_EXIT_PERM = 4,	/* needs CAP_SYS_ADMIN or CAP_MAC_ADMIN */
};

int add_main(int argc, char **argv);
int del_main(int argc, char **argv);
int load_main(int argc, char **argv);
int list_main(int argc, char **argv);
int flush_main(int argc, char **argv);
int status_main(int argc, char **argv);
int mode_main(int argc, char **argv);
int hash_main(int argc, char **argv);
int lock_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int digest_main(int argc, char **argv);
int sweep_main(int argc, char **argv);
int scan_main(int argc, char **argv);
int harvest_main(int argc, char **argv);
int report_main(int argc, char **argv);
int attest_main(int argc, char **argv);
int verify_main(int argc, char **argv);

#endif
