//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* float: double matrix multiply, an n-body step loop, and single-precision work. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#ifndef MN
#define MN 160
#endif
#ifndef STEPS
#define STEPS 60000
#endif
#ifndef FN
#define FN 3000000
#endif

static double A[MN][MN], B[MN][MN], C[MN][MN];

__attribute__((noinline)) static double matmul(void)
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			A[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
			B[i][j] = (double)((i * 5 + j * 11) % 13) / 6.0 - 1.0;
			C[i][j] = 0;
		}
	for (int i = 0; i < MN; i++)
		for (int k = 0; k < MN; k++) {
			double a = A[i][k];
			for (int j = 0; j < MN; j++)
				C[i][j] = fma(a, B[k][j], C[i][j]);
		}
	double t = 0;
	for (int i = 0; i < MN; i++)
		t += C[i][i] + C[i][MN - 1 - i] * 0.5;
	return t;
}

#define NB 5
struct body { double x, y, z, vx, vy, vz, m; };

__attribute__((noinline)) static double nbody(int steps)
{
	struct body b[NB] = {
		{0, 0, 0, 0, 0, 0, 39.47841760435743},
		{4.84, -1.16, -0.10, 0.606, 2.81, -0.02, 0.0377},
		{8.34, 4.12, -0.40, -1.01, 1.82, 0.008, 0.0113},
		{12.89, -15.11, -0.22, 1.08, 0.868, -0.01, 0.0017},
		{15.37, -25.91, 0.179, 0.979, 0.594, -0.034, 0.0020},
	};
	const double dt = 0.01;
	for (int s = 0; s < steps; s++) {
		for (int i = 0; i < NB; i++)
			for (int j = i + 1; j < NB; j++) {
				double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
				double d2 = dx * dx + dy * dy + dz * dz;
				double mag = dt / (d2 * sqrt(d2));
				b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
				b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
			}
		for (int i = 0; i < NB; i++) {
			b[i].x += dt * b[i].vx;
			b[i].y += dt * b[i].vy;
			b[i].z += dt * b[i].vz;
		}
	}
	double e = 0;
	for (int i = 0; i < NB; i++)
		e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
	return e;
}

/* Single precision: a damped oscillator / polynomial mix with fused ops, conversions
 * and a float sqrt. */
/* Fused multiply-adds are written out (fma, fmaf) and the Makefile builds with
 * -ffp-contract=off, so the riscv64 and the native build round identically. */
__attribute__((noinline)) static float singles(int n)
{
	float x = 0.5f, v = 0.0f, acc = 0.0f;
	for (int i = 0; i < n; i++) {
		float f = -4.0f * x - 0.01f * v;
		v = fmaf(f, 0.001f, v);
		x = fmaf(v, 0.001f, x);
		float p = fmaf(fmaf(fmaf(0.25f, x, 0.5f), x, -0.125f), x, 1.0f);
		acc += p / (1.0f + x * x) + sqrtf(fabsf(v) + 1.0f) * 1e-3f;
		acc -= (float)(i & 15) * 1e-4f;
	}
	return acc + x * 1000.0f;
}

int main(void)
{
	double m = matmul();
	double e = nbody(STEPS);
	float s = singles(FN);
	/* Print rounded values: the checksum must match between native x86-64 and riscv64. */
	printf("float %.6f %.9f %.3f\n", m, e, (double)s);
	return 0;
}
