/* The demo in the README: a mingw-w64 console program.
 * Build: make -C examples (needs x86_64-w64-mingw32-gcc); run: ./bin/winrun examples/hello.exe */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("Hello from a Windows program!\n");
    for (int i = 1; i < argc; i++) printf("  argument %d: %s\n", i, argv[i]);
    return 0;
}
