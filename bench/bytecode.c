//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* bytecode: a small switch-dispatch stack VM running a loop-heavy program
 * (counting primes below LIMIT by trial division, and summing a series). */
#include <stdint.h>
#include <stdio.h>

#ifndef LIMIT
#define LIMIT 110000
#endif

enum {
	PUSH, /* imm */
	LOAD, /* reg */
	STORE, /* reg */
	ADD, SUB, MUL, MOD, LT, LE, EQ,
	JMP, /* target */
	JZ, /* target */
	JNZ, /* target */
	DUP, POP, HALT,
};

__attribute__((noinline)) static int64_t run(const int32_t *code, int64_t *regs)
{
	int64_t stack[64];
	int sp = 0, pc = 0;
	for (;;) {
		int32_t op = code[pc++];
		switch (op) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case LOAD: stack[sp++] = regs[code[pc++]]; break;
		case STORE: regs[code[pc++]] = stack[--sp]; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
		case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case LE: sp--; stack[sp - 1] = stack[sp - 1] <= stack[sp]; break;
		case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
		case JMP: pc = code[pc]; break;
		case JZ: if (stack[--sp] == 0) pc = code[pc]; else pc++; break;
		case JNZ: if (stack[--sp] != 0) pc = code[pc]; else pc++; break;
		case DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case POP: sp--; break;
		case HALT: return sp ? stack[sp - 1] : 0;
		default: return -1;
		}
	}
}

/* registers: 0 = n, 1 = d, 2 = count, 3 = limit, 4 = isprime, 5 = sum of primes */

int main(void)
{
	/* Assemble the program, patching forward jumps once their targets are known. */
	int32_t code[256];
	int n = 0;
#define E(x) (code[n++] = (x))
	int outer, inner, endinner, notdiv, endouter, fix_endouter, fix_endinner1, fix_endinner2, fix_notdiv;
	E(PUSH); E(2); E(STORE); E(0);
	E(PUSH); E(0); E(STORE); E(2);
	E(PUSH); E(0); E(STORE); E(5);
	outer = n;
	E(LOAD); E(0); E(LOAD); E(3); E(LT); E(JZ); fix_endouter = n; E(0);
	E(PUSH); E(1); E(STORE); E(4);
	E(PUSH); E(2); E(STORE); E(1);
	inner = n;
	E(LOAD); E(1); E(DUP); E(MUL); E(LOAD); E(0); E(LE); E(JZ); fix_endinner1 = n; E(0);
	E(LOAD); E(0); E(LOAD); E(1); E(MOD); E(JNZ); fix_notdiv = n; E(0);
	E(PUSH); E(0); E(STORE); E(4); E(JMP); fix_endinner2 = n; E(0);
	notdiv = n;
	E(LOAD); E(1); E(PUSH); E(1); E(ADD); E(STORE); E(1); E(JMP); E(inner);
	endinner = n;
	/* count += isprime; sum += n * isprime */
	E(LOAD); E(2); E(LOAD); E(4); E(ADD); E(STORE); E(2);
	E(LOAD); E(5); E(LOAD); E(0); E(LOAD); E(4); E(MUL); E(ADD); E(STORE); E(5);
	E(LOAD); E(0); E(PUSH); E(1); E(ADD); E(STORE); E(0); E(JMP); E(outer);
	endouter = n;
	E(LOAD); E(2); E(HALT);
	code[fix_endouter] = endouter;
	code[fix_endinner1] = endinner;
	code[fix_endinner2] = endinner;
	code[fix_notdiv] = notdiv;

	int64_t regs[8] = {0};
	regs[3] = LIMIT;
	int64_t count = run(code, regs);
	printf("bytecode primes<%d=%lld sum=%lld\n", LIMIT, (long long)count, (long long)regs[5]);
	return 0;
}
