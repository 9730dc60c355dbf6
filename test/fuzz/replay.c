/*
 * Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without
 * libFuzzer, so plain ctest (native, ASan+UBSan, TSan) re-runs the committed
 * corpus and every saved crash: `replay_fuzz_<target> PATH...` runs each
 * PATH that is a file and each regular file in each PATH that is a directory
 * (a missing PATH counts as empty), and fails if any input fails or if no
 * input was found at all.
 *
 * A crash that is found but not yet fixed is committed as a regression named
 * `open-*`: it must still fail (it runs in a child process), and the replay
 * fails once it passes, so whoever fixes the bug drops the prefix and the
 * input becomes an ordinary regression.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static unsigned g_run;
static unsigned g_open;
static unsigned g_failed;

static int read_file(const char* path, uint8_t** data, size_t* size) {
    FILE* f = fopen(path, "rb");
    long n;
    *data = NULL;
    *size = 0;
    if (f == NULL) {
        return 0;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return 0;
    }
    /* One spare byte so an empty input still has a valid, unique pointer. */
    *data = (uint8_t*)malloc((size_t)n + 1u);
    if (*data == NULL || fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*data);
        *data = NULL;
        return 0;
    }
    fclose(f);
    *size = (size_t)n;
    return 1;
}

/* An open regression must still fail; it runs in a child so the failure
 * (an abort, a sanitizer report) does not end the replay. */
static void run_open(const char* path, const uint8_t* data, size_t size) {
    int status = 0;
    pid_t pid;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "replay: fork failed for %s\n", path);
        ++g_failed;
        return;
    }
    if (pid == 0) {
        /* The child's report would read like a failure of this test. */
        if (freopen("/dev/null", "w", stderr) == NULL) {
            _exit(3);
        }
        LLVMFuzzerTestOneInput(data, size);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid) {
        fprintf(stderr, "replay: waitpid failed for %s\n", path);
        ++g_failed;
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        fprintf(stderr,
                "replay: %s passes now: the bug it records is fixed, so rename it without "
                "the open- prefix to keep it as a regression\n",
                path);
        ++g_failed;
        return;
    }
    printf("replay: OPEN BUG still reproduces: %s (see its name; expected to fail until fixed)\n",
           path);
    ++g_open;
}

static void run_file(const char* path, const char* name) {
    uint8_t* data;
    size_t size;
    if (!read_file(path, &data, &size)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        ++g_failed;
        return;
    }
    ++g_run;
    if (strncmp(name, "open-", 5) == 0) {
        run_open(path, data, size);
    } else {
        /* A failing input aborts here, naming itself first. */
        fprintf(stderr, "replay: %s\n", path);
        LLVMFuzzerTestOneInput(data, size);
    }
    free(data);
}

static int compare_names(const void* a, const void* b) {
    return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void run_dir(const char* dir) {
    DIR* d = opendir(dir);
    struct dirent* e;
    char** names = NULL;
    size_t count = 0;
    size_t cap = 0;
    size_t i;
    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (count == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            names = (char**)realloc(names, cap * sizeof(char*));
            if (names == NULL) {
                fprintf(stderr, "replay: out of memory\n");
                exit(2);
            }
        }
        names[count] = (char*)malloc(strlen(e->d_name) + 1u);
        if (names[count] == NULL) {
            fprintf(stderr, "replay: out of memory\n");
            exit(2);
        }
        strcpy(names[count], e->d_name);
        ++count;
    }
    closedir(d);
    /* Sorted, so every run replays in the same order. */
    qsort(names, count, sizeof(char*), compare_names);
    for (i = 0; i < count; ++i) {
        size_t len = strlen(dir) + strlen(names[i]) + 2u;
        char* path = (char*)malloc(len);
        struct stat st;
        if (path == NULL) {
            fprintf(stderr, "replay: out of memory\n");
            exit(2);
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            run_file(path, names[i]);
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char** argv) {
    int i;
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; ++i) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) {
            const char* slash = strrchr(argv[i], '/');
            run_file(argv[i], slash != NULL ? slash + 1 : argv[i]);
        } else {
            run_dir(argv[i]);
        }
    }
    printf("replay: %u inputs, %u open bugs reproduced, %u failures\n", g_run, g_open, g_failed);
    if (g_run == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    return g_failed > 0 ? 1 : 0;
}
