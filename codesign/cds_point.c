// SPDX-License-Identifier: MIT
/*
 * Quasar codesign: one sweep point (cds_point.h): accel-eval --device for
 * the accuracy and the packed model, then the cost on every configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cds_point.h"
#include "cds_rows.h"
#include "mdl_data.h"
#include "mdl_packed.h"
#include "tool_progress.h"

static int cds_perr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Runs accel-eval with its JSON objects into @json; 0, or -EIO naming its exit. */
static int cds_run_eval(const struct cds_point *pt, const char *work, const char *json,
			char *err, size_t errlen)
{
	char num[16];
	const char *argv[32];
	int argc = 0, status, fd;
	pid_t pid;

	argv[argc++] = pt->eval;
	argv[argc++] = "--device";
	argv[argc++] = "--json";
	argv[argc++] = "--threads";
	argv[argc++] = "1";
	argv[argc++] = "--variants";
	argv[argc++] = pt->variant;
	argv[argc++] = "--save-packed";
	argv[argc++] = work;
	argv[argc++] = "--data";
	argv[argc++] = pt->data;
	if (!strcmp(pt->model, "lm")) {
		/* greedy generation is no metric of the sweep: skip it */
		argv[argc++] = "--prompts";
		argv[argc++] = "0";
		snprintf(num, sizeof(num), "%u", pt->windows);
		argv[argc++] = "--windows";
	} else {
		snprintf(num, sizeof(num), "%u", pt->limit);
		argv[argc++] = "--limit";
	}
	argv[argc++] = num;
	if (pt->ref) {
		argv[argc++] = "--ref";
		argv[argc++] = pt->ref;
		argv[argc++] = "--tag";
		argv[argc++] = pt->tag;
	}
	argv[argc++] = pt->ckpt;
	argv[argc] = NULL;

	fd = open(json, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		return cds_perr(err, errlen, -errno, "%s: %s", json, strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		execv(pt->eval, (char *const *)argv);
		fprintf(stderr, "accel-codesign: %s: %s\n", pt->eval, strerror(errno));
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		return cds_perr(err, errlen, -errno, "fork: %s", strerror(errno));
	if (waitpid(pid, &status, 0) < 0)
		return cds_perr(err, errlen, -errno, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cds_perr(err, errlen, -EIO, "%s %s on %s: %s %d (its messages above)",
				pt->eval, pt->variant, pt->ckpt,
				WIFEXITED(status) ? "exit status" : "killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* The value of "key": in a flat JSON object's text, as text (strings unquoted). */
static int cds_json_field(const char *obj, const char *key, char *val, size_t len)
{
	char pat[64];
	const char *s, *e;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	s = strstr(obj, pat);
	if (!s)
		return -1;
	s += strlen(pat);
	if (*s == '"') {
		e = strchr(++s, '"');
	} else {
		e = s + strcspn(s, ",}");
	}
	if (!e || (size_t)(e - s) >= len)
		return -1;
	snprintf(val, len, "%.*s", (int)(e - s), s);
	return 0;
}

static int cds_json_num(const char *obj, const char *key, double *v)
{
	char buf[64], *end;

	if (cds_json_field(obj, key, buf, sizeof(buf)))
		return -1;
	*v = strtod(buf, &end);
	return *end || end == buf ? -1 : 0;
}

/* The device row ("on":"fwrun") of accel-eval's objects into @r's accuracy. */
static int cds_read_accuracy(const char *json, const char *model, struct cds_row *r, char *err,
			     size_t errlen)
{
	const int lm = !strcmp(model, "lm");
	char line[8192], on[16];
	FILE *f = fopen(json, "r");
	int found = 0;

	if (!f)
		return cds_perr(err, errlen, -errno, "%s: %s", json, strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		if (cds_json_field(line, "on", on, sizeof(on)) || strcmp(on, "fwrun"))
			continue;
		found = 1;
		if (cds_json_field(line, "model", r->model, sizeof(r->model)) ||
		    cds_json_field(line, "variant", r->variant, sizeof(r->variant)) ||
		    cds_json_field(line, "format", r->format, sizeof(r->format)) ||
		    cds_json_field(line, "act", r->act, sizeof(r->act)) ||
		    cds_json_field(line, "algo", r->algo, sizeof(r->algo)) ||
		    cds_json_num(line, lm ? "bits_per_byte" : "top1", &r->value) ||
		    cds_json_num(line, "delta", &r->delta) ||
		    cds_json_num(line, lm ? "top1_agree" : "agree", &r->agree) ||
		    (lm && cds_json_num(line, "kl_nats", &r->kl)))
			found = -1;
	}
	fclose(f);
	if (found == 1 && strcmp(r->model, model))
		return cds_perr(err, errlen, -EINVAL, "%s: a %s model, not %s", json, r->model,
				model);
	if (found != 1)
		return cds_perr(err, errlen, -EINVAL, "%s: %s", json, found ? "the device row lacks "
				"a field (model, variant, format, act, algo, the metric, delta, agree)" :
				"no device row (\"on\":\"fwrun\")");
	return 0;
}

/* The one packed model accel-eval --save-packed wrote into @work. */
static int cds_find_qpk(const char *work, char *path, size_t len, char *err, size_t errlen)
{
	DIR *d = opendir(work);
	struct dirent *e;
	int n = 0;

	if (!d)
		return cds_perr(err, errlen, -errno, "%s: %s", work, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".qpk")) {
			snprintf(path, len, "%s/%s", work, e->d_name);
			n++;
		}
	}
	closedir(d);
	if (n != 1)
		return cds_perr(err, errlen, -EINVAL, "%s: %d packed models, not one", work, n);
	return 0;
}

/* Empties @work of packed models a failed earlier try left. */
static void cds_clean_work(const char *work)
{
	DIR *d = opendir(work);
	struct dirent *e;
	char path[8400];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".qpk")) {
			snprintf(path, sizeof(path), "%s/%s", work, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

static int cds_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0777) && errno != EEXIST)
		return cds_perr(err, errlen, -errno, "%s: %s", path, strerror(errno));
	return 0;
}

/* The cost of the packed model on every configuration, into @rows (accuracy set). */
static int cds_point_cost(const struct cds_point *pt, const struct mdl_packed *pk,
			  const struct cds_config *cfg, uint32_t nc, struct cds_row *rows,
			  char *err, size_t errlen)
{
	const int lm = pk->kind == MDL_PACKED_LM;
	struct mdl_text held = { 0 };
	struct mdl_images test = { 0 };
	struct tool_progress prog;
	int ret;

	ret = lm ? mdl_moby_heldout(pt->data, &held, err, errlen) :
		   mdl_fmnist_load(pt->data, "t10k", &test, err, errlen);
	tool_progress_start(&prog, "configuration", nc);
	for (uint32_t i = 0; !ret && i < nc; i++) {
		struct cds_row *r = &rows[i];

		ret = lm ? cds_cost_lm(pk->lm, &pk->ls, &held, &cfg[i], 1, pt->decode, &r->unit,
				       &r->prefill, err, errlen) :
			   cds_cost_cls(pk->cls, &pk->ls, &test, &cfg[i], 1, &r->unit, err, errlen);
		r->has_prefill = lm;
		snprintf(r->config, sizeof(r->config), "%s", cfg[i].name);
		if (!ret)
			tool_progress_update(&prog, i + 1, "%s on %s: %.3f uJ, %.2f us per %s",
					     pt->id, cfg[i].name, r->unit.energy_uj,
					     r->unit.time_us, cds_row_unit(r));
	}
	tool_progress_end(&prog);
	mdl_text_free(&held);
	mdl_images_free(&test);
	return ret;
}

int cds_point_run(const struct cds_point *pt, const struct cds_config *cfg, uint32_t nc,
		  char *err, size_t errlen)
{
	char work[4096], json[4200], qpk[4400], out[4096], tmp[4200], msg[512];
	struct mdl_packed pk = { 0 };
	struct cds_row acc = { 0 }, *rows;
	FILE *f;
	int ret;

	snprintf(work, sizeof(work), "%s/work", pt->dir);
	if ((ret = cds_mkdir(work, err, errlen)))
		return ret;
	snprintf(work, sizeof(work), "%s/work/%s", pt->dir, pt->id);
	snprintf(out, sizeof(out), "%s/points", pt->dir);
	if ((ret = cds_mkdir(work, err, errlen)) || (ret = cds_mkdir(out, err, errlen)))
		return ret;
	cds_clean_work(work);
	snprintf(json, sizeof(json), "%s/eval.json", work);
	ret = cds_run_eval(pt, work, json, err, errlen);
	if (!ret)
		ret = cds_read_accuracy(json, pt->model, &acc, err, errlen);
	if (!ret)
		ret = cds_find_qpk(work, qpk, sizeof(qpk), err, errlen);
	if (!ret && mdl_packed_load(qpk, &pk, msg, sizeof(msg)))
		ret = cds_perr(err, errlen, -EINVAL, "%s", msg);
	if (ret)
		return ret;
	rows = calloc(nc, sizeof(*rows));
	if (!rows) {
		mdl_packed_free(&pk);
		return cds_perr(err, errlen, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < nc; i++)
		rows[i] = acc;
	ret = cds_point_cost(pt, &pk, cfg, nc, rows, err, errlen);
	mdl_packed_free(&pk);
	/* complete or absent: written aside, renamed into place */
	snprintf(out, sizeof(out), "%s/points/%s.csv", pt->dir, pt->id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	if (!ret && !(f = fopen(tmp, "w")))
		ret = cds_perr(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (!ret) {
		cds_rows_header(f);
		for (uint32_t i = 0; i < nc; i++)
			cds_row_write(f, &rows[i]);
		if (fclose(f) || rename(tmp, out))
			ret = cds_perr(err, errlen, -EIO, "%s: write failed", out);
	}
	free(rows);
	return ret;
}
