/* placeholder main; the engine is being written */
int main(void) { return 0; }
