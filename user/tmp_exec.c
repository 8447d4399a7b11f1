// provisional until the config branch lands
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "log.h"
int config_check_exec(const struct xs_config *cfg, char *err, size_t errlen);
int config_check_exec(const struct xs_config *cfg, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &cfg->alerts;
	int e;

	if (!a->exec_argv || !access(a->exec_argv[0], X_OK))
		return 0;
	e = -errno;
	set_err(err, errlen, "alerts.exec: %s: expected an executable program: %s",
		a->exec_argv[0], strerror(-e));
	return e;
}
