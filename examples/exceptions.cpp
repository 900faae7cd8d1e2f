/* C++ exceptions in a mingw-w64 program: each argument is parsed as a number; a bad one throws
 * through two functions, whose destructors run on the way, to a catch of the base class.
 * Build: make -C examples (needs x86_64-w64-mingw32-g++); run: ./bin/winrun examples/exceptions.exe 12 x7 */
#include <cstdio>
#include <stdexcept>
#include <string>

struct Step {
  const char *name;
  explicit Step(const char *n) : name(n) {}
  ~Step() { printf("  (leaving %s)\n", name); }
};

__attribute__((noinline)) static int digits(const char *text) {
  Step s("digits");
  int v = 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9') throw std::invalid_argument(std::string("not a number: ") + text);
    v = v * 10 + (*p - '0');
  }
  return v;
}

__attribute__((noinline)) static int parse(const char *text) {
  Step s("parse");
  return digits(text);
}

int main(int argc, char **argv) {
  const char *fallback[] = {"exceptions", "12", "x7"};
  if (argc < 2) argc = 3, argv = (char **)fallback;
  for (int i = 1; i < argc; i++) {
    try {
      int v = parse(argv[i]);
      printf("%s: %d\n", argv[i], v);
    } catch (const std::exception &e) {
      printf("%s: caught %s\n", argv[i], e.what());
    }
  }
  return 0;
}
