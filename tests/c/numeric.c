// Floating-point kernels: matrix multiplication, Gaussian elimination, an
// n-body integration, numerical integration and a Mandelbrot set drawn in
// ASCII.  Results are printed exactly (%a) as well as readably.
#include <math.h>
#include <stdio.h>

#define N 48
static double A[N][N], B[N][N], C[N][N];

static void matmul(void) {
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double s = 0;
			for (int k = 0; k < N; k++)
				s += A[i][k] * B[k][j];
			C[i][j] = s;
		}
}

static double det(double m[N][N], int n) {
	static double t[N][N];
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			t[i][j] = m[i][j];
	double d = 1;
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(t[r][c]) > fabs(t[p][c]))
				p = r;
		if (t[p][c] == 0)
			return 0;
		if (p != c) {
			for (int k = 0; k < n; k++) {
				double x = t[c][k];
				t[c][k] = t[p][k];
				t[p][k] = x;
			}
			d = -d;
		}
		d *= t[c][c];
		for (int r = c + 1; r < n; r++) {
			double f = t[r][c] / t[c][c];
			for (int k = c; k < n; k++)
				t[r][k] -= f * t[c][k];
		}
	}
	return d;
}

struct body {
	double x, y, z, vx, vy, vz, m;
};

static double energy(struct body *b, int n) {
	double e = 0;
	for (int i = 0; i < n; i++) {
		e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
		for (int j = i + 1; j < n; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
			e -= b[i].m * b[j].m / sqrt(dx * dx + dy * dy + dz * dz);
		}
	}
	return e;
}

static void advance(struct body *b, int n, double dt) {
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
			double d2 = dx * dx + dy * dy + dz * dz;
			double mag = dt / (d2 * sqrt(d2));
			b[i].vx -= dx * b[j].m * mag;
			b[i].vy -= dy * b[j].m * mag;
			b[i].vz -= dz * b[j].m * mag;
			b[j].vx += dx * b[i].m * mag;
			b[j].vy += dy * b[i].m * mag;
			b[j].vz += dz * b[i].m * mag;
		}
	for (int i = 0; i < n; i++) {
		b[i].x += dt * b[i].vx;
		b[i].y += dt * b[i].vy;
		b[i].z += dt * b[i].vz;
	}
}

static double simpson(double (*f)(double), double a, double b, int n) {
	double h = (b - a) / n, s = f(a) + f(b);
	for (int i = 1; i < n; i++)
		s += f(a + i * h) * (i % 2 ? 4 : 2);
	return s * h / 3;
}
static double gauss(double x) { return exp(-x * x); }

int main(void) {
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			A[i][j] = sin(i * 0.7 + j * 0.3) + (i == j ? N : 0);
			B[i][j] = cos(i * 0.2 - j * 0.5) / (1 + i + j);
		}
	matmul();
	double tr = 0, fro = 0;
	for (int i = 0; i < N; i++) {
		tr += C[i][i];
		for (int j = 0; j < N; j++)
			fro += C[i][j] * C[i][j];
	}
	printf("matmul trace=%.17g (%a) frobenius^2=%.17g\n", tr, tr, fro);
	for (int i = 0; i < N; i += 11)
		printf("  C[%d][%d]=%a\n", i, N - 1 - i, C[i][N - 1 - i]);
	for (int n = 2; n <= N; n *= 2) {
		double d = det(A, n);
		printf("det(A[%d]) = %.17g (%a)\n", n, d, d);
	}

	struct body b[5] = {
		{0, 0, 0, 0, 0, 0, 39.47841760435743},
		{4.84, -1.16, -0.10, 0.606, 2.81, -0.02, 0.037},
		{8.34, 4.12, -0.40, -1.01, 1.82, 0.008, 0.011},
		{12.89, -15.11, -0.22, 1.08, 0.868, -0.01, 0.0017},
		{15.37, -25.91, 0.17, 0.979, 0.594, -0.034, 0.002},
	};
	printf("nbody e0=%.17g\n", energy(b, 5));
	for (int step = 1; step <= 2000; step++) {
		advance(b, 5, 0.01);
		if (step % 500 == 0)
			printf("nbody step %d e=%.17g x1=%a\n", step, energy(b, 5), b[1].x);
	}

	for (int n = 10; n <= 10000; n *= 10) {
		double r = simpson(gauss, -5, 5, n);
		printf("simpson n=%d: %.17g err=%.3e\n", n, r, r - sqrt(M_PI));
	}

	for (int row = 0; row < 24; row++) {
		char line[80];
		for (int col = 0; col < 78; col++) {
			double cr = -2.2 + col * 3.0 / 78, ci = -1.2 + row * 2.4 / 24;
			double zr = 0, zi = 0;
			int it = 0;
			while (it < 200 && zr * zr + zi * zi < 4) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				it++;
			}
			line[col] = " .:-=+*#%@"[it >= 200 ? 9 : it % 9];
		}
		line[78] = 0;
		printf("%s\n", line);
	}
	return 0;
}
