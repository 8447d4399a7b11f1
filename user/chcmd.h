/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xdpscope clickhouse-schema`, `clickhouse-query` and
 * `clickhouse-retention` (chcmd.c): exit codes as the other commands.
 */
#ifndef XS_CHCMD_H
#define XS_CHCMD_H

int cmd_clickhouse_schema(int argc, char **argv);
int cmd_clickhouse_query(int argc, char **argv);
int cmd_clickhouse_retention(int argc, char **argv);

#endif /* XS_CHCMD_H */
