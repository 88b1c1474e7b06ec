GREETING = None


def task(x):
    return f"{GREETING} {x}"


if __name__ == "__main__":
    from multiprocessing import Pool
    GREETING = "Hello"
    with Pool(2) as p:
        print(p.map(task, [1, 2]))
